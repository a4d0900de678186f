// Cardin's side-panel preview: send card clicks to the server, swap in the panel it returns,
// show notifications, open links and draw Google's consent step over the card when the add-on
// asks for more permissions. Everything else is server-rendered.
(() => {
  "use strict";
  const panel = document.getElementById("panel");
  const content = document.getElementById("panel-content");
  const toast = document.getElementById("toast");
  if (!panel || !content) return;
  let busy = false;
  let toastTimer = 0;

  function inputs() {
    const out = [];
    for (const el of content.querySelectorAll("input[name], textarea[name], select[name]")) {
      if (el.disabled) continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      const kind = el.dataset.kind || "text";
      if (el.tagName === "SELECT") {
        for (const option of el.selectedOptions) out.push([el.name, kind, option.value]);
      } else {
        out.push([el.name, kind, el.value, el.dataset.offset || "0"]);
      }
    }
    return out;
  }

  // the card the page shows: the server answers `reload` when another tab has drawn since
  function panelVersion() {
    return Number(content.querySelector("[data-version]").dataset.version);
  }

  function notify(text, link) {
    toast.querySelector(".toast-text").textContent = text || "";
    const anchor = toast.querySelector(".toast-link");
    anchor.hidden = !link;
    if (link) anchor.href = link;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, link ? 8000 : 4000);
  }

  function markInvalid(names) {
    for (const name of names) {
      const field = content.querySelector(`[data-field="${CSS.escape(name)}"]`);
      if (field) field.classList.add("invalid");
    }
  }

  // the consent step lies over the card; the card beneath keeps what the user typed
  function showConsent(html) {
    closeConsent();
    content.insertAdjacentHTML("beforeend", html);
    const allow = content.querySelector(".consent [data-consent=allow]");
    if (allow) allow.focus();
  }

  function closeConsent() {
    for (const dialog of content.querySelectorAll(".consent")) dialog.remove();
  }

  async function send(url, body) {
    if (busy) return;
    busy = true;
    panel.classList.add("busy");
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      if (answer.reload) { location.reload(); return; }
      if (answer.invalid) { markInvalid(answer.invalid); return; }
      if (url === "/preview/consent") closeConsent();
      if (answer.consent) showConsent(answer.consent);
      if (answer.html !== undefined) content.innerHTML = answer.html;
      if (answer.link) window.open(answer.link, "_blank", "noopener");
      if (answer.notification || answer.link) notify(answer.notification, answer.link);
    } catch (error) {
      notify("Preview: the demo server did not answer.");
    } finally {
      busy = false;
      panel.classList.remove("busy");
    }
  }

  // a link whose onClose is RELOAD (a sign-in): Gmail runs the add-on's trigger again once the
  // window it opened is closed; the preview reloads the page, which runs the trigger
  function openWatched(href) {
    const opened = window.open(href, "_blank");
    if (!opened) { window.open(href, "_blank", "noopener"); return; }
    const timer = setInterval(() => {
      if (opened.closed) { clearInterval(timer); location.reload(); }
    }, 300);
  }

  function press(target) {
    if (target.dataset.href && "reload" in target.dataset) {
      openWatched(target.dataset.href);
    } else if (target.dataset.href) {
      window.open(target.dataset.href, "_blank", "noopener");
    } else if ("back" in target.dataset) {
      send("/preview/back", { version: panelVersion() });
    } else if (target.dataset.consent) {
      send("/preview/consent", {
        version: panelVersion(), allow: target.dataset.consent === "allow",
      });
    } else {
      send("/preview/click", {
        version: panelVersion(), click: Number(target.dataset.click), inputs: inputs(),
      });
    }
  }

  content.addEventListener("click", (event) => {
    for (const menu of content.querySelectorAll("details.card-menu[open]")) {
      if (!menu.querySelector("summary").contains(event.target)) menu.open = false;
    }
    const target = event.target.closest("[data-click], [data-href], [data-back], [data-consent]");
    if (!target) return;
    // a control inside a clickable row (a switch, a link) acts on its own
    const control = event.target.closest("a, input, label, select, textarea, button");
    if (control && control !== target && target.contains(control)) return;
    event.preventDefault();
    press(target);
  });
  content.addEventListener("keydown", (event) => {
    const target = event.target.closest("[role=button][data-click], [role=link][data-href]");
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      press(target);
    }
  });
  content.addEventListener("change", (event) => {
    const target = event.target.closest("[data-change]");
    if (!target) return;
    send("/preview/click", {
      version: panelVersion(), click: Number(target.dataset.change), inputs: inputs(),
    });
  });
  content.addEventListener("input", (event) => {
    const field = event.target.closest(".invalid");
    if (field) field.classList.remove("invalid");
  });
  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.dataset.copy).then(() => { copy.textContent = "Copied"; });
    }
  });
})();
