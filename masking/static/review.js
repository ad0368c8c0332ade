// Review page: a mask (a <button>) opens the unmask dialog on click or Enter; selecting text in the
// transcript fills the add-mask form with raw-transcript offsets (code points, as the server counts).
"use strict";
(function () {
  const transcript = document.getElementById("transcript");
  if (!transcript || transcript.dataset.editable !== "true") return;

  const dialog = document.getElementById("unmask-dialog");
  const target = document.getElementById("unmask-target");
  const indexField = document.getElementById("unmask-index");
  const reason = document.getElementById("unmask-reason");
  let opener = null;

  transcript.addEventListener("click", function (event) {
    const mask = event.target.closest("button.mask");
    if (!mask) return;
    opener = mask;
    indexField.value = mask.dataset.index;
    target.textContent = mask.textContent + "（" + mask.dataset.labelName + "）";
    reason.value = "";
    dialog.showModal();
    reason.focus();
  });
  document.getElementById("unmask-cancel").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { if (opener) opener.focus(); });

  const start = document.getElementById("mask-start");
  const end = document.getElementById("mask-end");
  const preview = document.getElementById("selection-preview");

  function codePoints(text) { return Array.from(text).length; }

  // Raw offset of a selection boundary (node, offset) inside the transcript, or null.
  function rawOffset(node, offset) {
    if (node === transcript) {
      const child = transcript.childNodes[offset];
      if (!child) return lastEnd();
      return Number(child.dataset.start);
    }
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!element || !transcript.contains(element)) return null;
    const plain = element.closest("span.plain");
    if (plain) return Number(plain.dataset.start) + codePoints(plain.textContent.slice(0, offset));
    const mask = element.closest(".mask");
    if (mask) return Number(offset === 0 ? mask.dataset.start : mask.dataset.end);
    return null;
  }

  function lastEnd() {
    const last = transcript.lastElementChild;
    if (!last) return 0;
    return last.dataset.end ? Number(last.dataset.end) : Number(last.dataset.start) + codePoints(last.textContent);
  }

  function clearSelection() {
    start.value = ""; end.value = "";
    preview.textContent = "文字列が選択されていません。";
  }

  document.addEventListener("selectionchange", function () {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      if (document.activeElement === document.body || transcript.contains(document.activeElement)) clearSelection();
      return;
    }
    const range = selection.getRangeAt(0);
    if (!transcript.contains(range.startContainer) || !transcript.contains(range.endContainer)) return;
    const from = rawOffset(range.startContainer, range.startOffset);
    const to = rawOffset(range.endContainer, range.endOffset);
    if (from === null || to === null || to <= from) { clearSelection(); return; }
    start.value = String(from); end.value = String(to);
    preview.textContent = "選択中: 「" + selection.toString().trim() + "」";
  });

  // Typing a string means "mask this text": drop a stale selection so the two cannot disagree.
  document.getElementById("mask-find").addEventListener("input", clearSelection);
})();
