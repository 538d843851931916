/* Progressive enhancement for the proposal form: warn before sending files that the
   server would refuse (too many, too large), so nothing typed is lost to a refused
   upload. The server checks everything again. */
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-max-files]");
  if (!input) { return; }
  var note = document.createElement("p");
  note.className = "error";
  note.setAttribute("role", "alert");
  note.hidden = true;
  input.insertAdjacentElement("afterend", note);
  input.addEventListener("change", function () {
    var maxFiles = parseInt(input.dataset.maxFiles, 10);
    var maxBytes = parseInt(input.dataset.maxBytes, 10);
    var maxTotal = parseInt(input.dataset.maxTotal, 10);
    var total = 0, message = "";
    Array.prototype.forEach.call(input.files, function (file) {
      total += file.size;
      if (file.size > maxBytes && !message) {
        message = input.dataset.msgFile.replace("%(name)s", file.name);
      }
    });
    if (input.files.length > maxFiles) { message = input.dataset.msgCount; }
    else if (!message && total > maxTotal) { message = input.dataset.msgTotal; }
    note.textContent = message;
    note.hidden = !message;
    input.setCustomValidity(message);
    if (message) { input.value = ""; }
  });
}());
