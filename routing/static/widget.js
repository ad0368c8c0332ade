/* Madoguchi welfare-routing widget. Embed with one tag:
 *   <script src="https://CITY/routing/widget.js" data-api="https://CITY" data-title="福祉相談の窓口案内" defer></script>
 * Everything renders inside a Shadow DOM (styles stay isolated) and only through textContent
 * (messages and bot replies can never inject HTML). */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = (script && script.dataset.api) || (script ? new URL(script.src).origin : "");
  var title = (script && script.dataset.title) || "福祉相談の窓口案内（AI）";

  function sessionId() {
    var key = "madoguchi-routing-session";
    var id = null;
    try { id = sessionStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { sessionStorage.setItem(key, id); } catch (e) { /* private mode: one session per page */ }
    }
    return id;
  }

  var CSS = [
    ":host{all:initial;font-family:'Noto Sans JP','Hiragino Sans','Yu Gothic',sans-serif;font-size:16px;color:#1a1a1a}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;background:#0b5cad;color:#fff;border:0;",
    "border-radius:28px;padding:14px 20px;font-size:16px;font-weight:bold;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}",
    ".panel{position:fixed;right:16px;bottom:80px;z-index:2147483000;width:min(380px,calc(100vw - 32px));",
    "height:min(600px,calc(100vh - 110px));background:#fff;border:1px solid #888;border-radius:12px;display:flex;",
    "flex-direction:column;box-shadow:0 4px 16px rgba(0,0,0,.3);overflow:hidden}",
    ".panel[hidden]{display:none}",
    "header{background:#0b5cad;color:#fff;padding:10px 12px;display:flex;align-items:center;justify-content:space-between}",
    "header h2{font-size:16px;margin:0}",
    ".close{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;padding:4px 10px;font-size:14px;cursor:pointer}",
    ".notice{background:#fff8e1;border-bottom:1px solid #e0c060;padding:8px 12px;font-size:13px;line-height:1.5}",
    ".notice p{margin:2px 0}",
    ".log{flex:1;overflow-y:auto;padding:10px 12px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:88%;padding:8px 10px;border-radius:10px;line-height:1.6;white-space:pre-wrap;word-break:break-word}",
    ".me{align-self:flex-end;background:#dcecff}",
    ".bot{align-self:flex-start;background:#f1f1f1}",
    ".bot .who{display:block;font-size:11px;color:#555}",
    ".crisis{border:2px solid #c00;background:#fff0f0}",
    ".card{border:1px solid #bbb;border-radius:8px;padding:8px 10px;background:#fff}",
    ".card h3{font-size:15px;margin:0 0 4px}",
    ".card ul{margin:4px 0;padding-left:18px;font-size:13px}",
    ".card .hours{font-size:13px;color:#333;margin:2px 0}",
    ".call{display:inline-block;margin-top:4px;background:#0a7a36;color:#fff;text-decoration:none;border-radius:6px;padding:8px 12px;font-weight:bold}",
    ".crisis .call{background:#c00}",
    ".quick{display:flex;flex-wrap:wrap;gap:6px}",
    ".quick button,.feedback button{border:1px solid #0b5cad;background:#fff;color:#0b5cad;border-radius:16px;padding:6px 10px;font-size:14px;cursor:pointer}",
    "form{display:flex;gap:6px;border-top:1px solid #ccc;padding:8px}",
    "textarea{flex:1;resize:none;font-size:16px;padding:6px;border:1px solid #888;border-radius:6px;font-family:inherit}",
    ".send{background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:0 14px;font-size:15px;cursor:pointer}",
    ".feedback{display:flex;gap:6px;align-items:center;font-size:13px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function mount() {
    var host = el("div", { id: "madoguchi-routing-widget" });
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = CSS;
    root.appendChild(style);

    var launcher = el("button", { "class": "launcher", type: "button", "aria-expanded": "false",
                                  "aria-controls": "madoguchi-panel" }, "福祉の相談窓口をさがす");
    var panel = el("section", { "class": "panel", id: "madoguchi-panel", role: "dialog",
                                "aria-label": title, hidden: "" });
    var header = el("header");
    header.appendChild(el("h2", {}, title));
    var close = el("button", { "class": "close", type: "button", "aria-label": "閉じる" }, "閉じる");
    header.appendChild(close);
    var notice = el("div", { "class": "notice" });
    [
      "このチャットは AI が窓口を案内します。案内が間違っていることがあります。",
      "お名前・住所・電話番号などの個人情報は書かないでください。",
      "命に関わるときや危険が迫っているときは、すぐに 110番（警察）・119番（救急）へ電話してください。"
    ].forEach(function (t) { notice.appendChild(el("p", {}, t)); });
    var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "会話" });
    var form = el("form");
    var label = el("label", { "for": "madoguchi-input", "class": "sr" }, "相談したいことを入力");
    var input = el("textarea", { id: "madoguchi-input", rows: "2", maxlength: "400",
                                 placeholder: "困っていることを書いてください" });
    var send = el("button", { "class": "send", type: "submit" }, "送信");
    form.appendChild(label); form.appendChild(input); form.appendChild(send);
    panel.appendChild(header); panel.appendChild(notice); panel.appendChild(log); panel.appendChild(form);
    root.appendChild(launcher); root.appendChild(panel);

    var sid = sessionId();
    var greeted = false;
    var askedFeedback = false;

    function open(show) {
      if (show) { panel.removeAttribute("hidden"); } else { panel.setAttribute("hidden", ""); }
      launcher.setAttribute("aria-expanded", show ? "true" : "false");
      if (show) {
        if (!greeted) {
          greeted = true;
          botText("こんにちは。困っていることを、ご自分の言葉で書いてください。合いそうな相談窓口をご案内します（AI による案内です）。");
        }
        input.focus();
      } else {
        launcher.focus();
      }
    }

    function scroll() { log.scrollTop = log.scrollHeight; }

    function botText(text, extraClass) {
      var box = el("div", { "class": "msg bot" + (extraClass ? " " + extraClass : "") });
      box.appendChild(el("span", { "class": "who" }, "AI の案内"));
      box.appendChild(document.createTextNode(text));
      log.appendChild(box);
      scroll();
    }

    function card(window_, crisis) {
      var box = el("div", { "class": "card" + (crisis ? " crisis" : "") });
      box.appendChild(el("h3", {}, window_.name));
      if (window_.handles && window_.handles.length) {
        var list = el("ul");
        window_.handles.forEach(function (h) { list.appendChild(el("li", {}, h)); });
        box.appendChild(list);
      }
      box.appendChild(el("p", { "class": "hours" }, "受付: " + window_.hours));
      var link = el("a", { "class": "call", href: window_.tel }, "電話する " + window_.phone);
      link.setAttribute("aria-label", window_.name + "に電話する " + window_.phone);
      box.appendChild(link);
      log.appendChild(box);
    }

    function quickReplies(buttons) {
      var row = el("div", { "class": "quick", role: "group", "aria-label": "選択肢" });
      buttons.forEach(function (b) {
        var button = el("button", { type: "button" }, b.title);
        button.addEventListener("click", function () { row.remove(); ask(b.payload, b.title); });
        row.appendChild(button);
      });
      log.appendChild(row);
    }

    function feedback() {
      if (askedFeedback) return;
      askedFeedback = true;
      var row = el("div", { "class": "feedback", role: "group", "aria-label": "この案内は役に立ちましたか" });
      row.appendChild(el("span", {}, "この案内は役に立ちましたか？"));
      [["役に立った", true], ["役に立たなかった", false]].forEach(function (pair) {
        var button = el("button", { type: "button" }, pair[0]);
        button.addEventListener("click", function () {
          post("/api/routing/feedback", { session_id: sid, helpful: pair[1] });
          row.textContent = "ご協力ありがとうございました。";
        });
        row.appendChild(button);
      });
      log.appendChild(row);
    }

    function post(path, body) {
      return fetch(api + path, { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
    }

    function ask(message, shown) {
      var mine = el("div", { "class": "msg me" }, shown || message);
      log.appendChild(mine);
      scroll();
      send.disabled = true;
      post("/api/routing/chat", { session_id: sid, message: message })
        .then(function (res) {
          if (!res.ok) { botText((res.data && res.data.detail) || "エラーが発生しました。"); return; }
          var d = res.data;
          (d.notices || []).forEach(function (t) { botText(t); });
          if (d.crisis) {
            botText(d.texts[0], "crisis");
            (d.crisis_lines || []).forEach(function (w) { card(w, true); });
            d.texts.slice(1).forEach(function (t) { botText(t); });
          } else {
            (d.texts || []).forEach(function (t) { botText(t); });
          }
          (d.windows || []).forEach(function (w) { card(w, false); });
          if (d.buttons && d.buttons.length) quickReplies(d.buttons);
          if (d.windows && d.windows.length) feedback();
          scroll();
        })
        .catch(function () {
          botText("通信できませんでした。急ぎの場合は電話でご相談ください。命に関わるときは 110番・119番 へ。");
        })
        .then(function () { send.disabled = false; input.focus(); });
    }

    launcher.addEventListener("click", function () { open(panel.hasAttribute("hidden")); });
    close.addEventListener("click", function () { open(false); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") open(false); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      ask(text);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
