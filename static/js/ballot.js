/* Ballot page: a running total per scope and a warning when the choice breaks the
   rule. Progressive enhancement only: without this file the server checks the
   choice and shows it on a review page before casting. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "ar";
  var locale = lang === "ar" ? "ar-MA-u-nu-latn" : (lang === "fr" ? "fr-MA" : "en");
  var form = document.querySelector(".ballot-form");
  // The server's own rendering of 0 MAD in the reader's language, e.g. "0 د.م.".
  var zero = (form && form.getAttribute("data-money-zero")) || "0 MAD";
  var money = function (amount) {
    var number;
    try {
      number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(amount);
    } catch (e) { number = String(amount); }
    return zero.replace("0", number);
  };

  function update(scope) {
    var boxes = scope.querySelectorAll("input[type=checkbox][data-cost]");
    var total = 0, count = 0;
    boxes.forEach(function (box) {
      if (box.checked) { total += parseInt(box.getAttribute("data-cost"), 10); count += 1; }
    });
    var amount = parseInt(scope.getAttribute("data-amount"), 10);
    var rule = scope.getAttribute("data-rule");
    var maxProjects = parseInt(scope.getAttribute("data-max-projects"), 10);
    var minimum = parseInt(scope.getAttribute("data-minimum"), 10);
    var box = scope.querySelector(".running-total");
    var output = box.querySelector(".total-value");
    var warning = box.querySelector(".total-warning");
    output.textContent = output.getAttribute("data-template")
      .replace("{total}", money(total)).replace("{amount}", money(amount))
      .replace("{count}", String(count));
    var problem = "";
    if ((rule === "knapsack" || rule === "approval_min_share") && total > amount) {
      problem = warning.getAttribute("data-over");
    } else if (rule === "approval_k" && count > maxProjects) {
      problem = warning.getAttribute("data-too-many");
    } else if (rule === "approval_min_share" && total < minimum) {
      problem = warning.getAttribute("data-too-little");
    }
    warning.textContent = problem;
    box.classList.toggle("is-wrong", problem !== "");
    boxes.forEach(function (other) {
      // Projects that no longer fit are not disabled (the voter may swap), only flagged.
      var cost = parseInt(other.getAttribute("data-cost"), 10);
      var fits = other.checked || rule === "approval_k" || total + cost <= amount;
      other.closest(".project-card").classList.toggle("does-not-fit", !fits);
    });
  }

  document.querySelectorAll(".ballot-scope").forEach(function (scope) {
    var box = scope.querySelector(".running-total");
    if (!box) { return; }
    box.hidden = false;
    scope.addEventListener("change", function () { update(scope); });
    update(scope);
  });
}());
