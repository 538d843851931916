/* Ballot page: a running total per scope and a warning when the choice breaks the
   rule. Progressive enhancement only: without this file the server checks the
   choice and shows it on a review page before casting. */
(function () {
  "use strict";
  var form = document.querySelector(".ballot-form");
  // The server gives the page language's money pattern ("{n} MAD", "{n} درهم")
  // and grouping mark, so the total reads like every other amount on the page.
  var pattern = (form && form.getAttribute("data-money-pattern")) || "{n}";
  var group = (form && form.getAttribute("data-money-group")) || ",";
  var money = function (amount) {
    var digits = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, group);
    return pattern.replace("{n}", (amount < 0 ? "-" : "") + digits);
  };

  // The server-drawn gauge follows the choice: bar length and its two figures.
  function drawGauge(scope, total, amount) {
    var gauge = scope.querySelector(".gauge");
    if (!gauge) { return; }
    var share = amount > 0 ? Math.min(100, Math.floor(total * 100 / amount)) : 0;
    gauge.querySelector(".gauge-fill").setAttribute("width", String(share));
    gauge.classList.toggle("is-over", total > amount);
    gauge.querySelector(".gauge-used bdi").textContent = money(total);
    var left = gauge.querySelector(".gauge-left"), over = gauge.querySelector(".gauge-over");
    left.querySelector("bdi").textContent = money(Math.max(amount - total, 0));
    over.querySelector("bdi").textContent = money(Math.max(total - amount, 0));
    left.hidden = total > amount;
    over.hidden = total <= amount;
  }

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
    drawGauge(scope, total, amount);
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
