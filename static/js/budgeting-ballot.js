/* The ballot as the voter fills it: per budget, what the choices cost and what is left (knapsack), how many are
   chosen (approval, choose one) or how many points are left (cumulative), updated at each change; a ballot the
   rules refuse cannot be sent to review, and the message says why. The server checks everything again: this only
   spares a round trip. Amounts are written as the page's language writes them (the separators and the currency
   sign come from the form's data attributes, as portal.money formats them on the server). */
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form) { return; }
  var data = form.dataset;
  var rule = data.rule;
  var NBSP = "\u00a0";
  var submit = document.getElementById("ballot-review");
  var problemBox = document.getElementById("ballot-problem");

  // Amounts in cents (integers): exact for any budget a commune has.
  function cents(text) {
    if (!text) { return 0; }
    var parts = String(text).split(".");
    var whole = parseInt(parts[0], 10) || 0;
    var fraction = parts[1] ? parseInt((parts[1] + "00").slice(0, 2), 10) : 0;
    return whole * 100 + (whole < 0 ? -fraction : fraction);
  }
  function group(digits) {
    var out = "";
    while (digits.length > 3) {
      out = data.groupSeparator + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return digits + out;
  }
  function money(amount) {
    var negative = amount < 0;
    var absolute = Math.abs(amount);
    var text = group(String(Math.floor(absolute / 100)));
    if (absolute % 100) { text += data.decimalSeparator + String(100 + absolute % 100).slice(1); }
    return (negative ? "-" : "") + text + (data.sign ? NBSP + data.sign : "");
  }
  function number(value) { return group(String(value)); }
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  var budgets = Array.prototype.slice.call(form.querySelectorAll("fieldset.ballot-budget"));

  function check(fieldset) {
    var set = fieldset.dataset;
    var amount = cents(set.amount);
    var total = 0, count = 0, points = 0, overOne = false;
    fieldset.querySelectorAll("input[data-cost]").forEach(function (input) {
      var given = 0;
      if (input.type === "number") {
        given = parseInt(input.value, 10);
        if (!(given > 0)) { given = 0; }
        if (set.maxPoints && given > parseInt(set.maxPoints, 10)) { overOne = true; }
      } else if (input.checked) {
        given = 1;
      }
      if (given) { count += 1; points += given; total += cents(input.dataset.cost); }
    });
    var facts = { budget: set.budget, total: money(total), amount: money(amount) };
    var problem = "";
    if (rule === "knapsack") {
      if (total > amount) {
        problem = say(data.messageOverBudget, facts);
      } else if (count && set.minSpend) {
        var least = Math.round(amount * parseFloat(set.minSpend) / 100) * 100;
        if (total < least) { problem = say(data.messageUnderSpend, { budget: set.budget, least: money(least), total: money(total) }); }
      }
    } else if (rule === "approval" && set.max && count > parseInt(set.max, 10)) {
      problem = say(data.messageTooMany, { budget: set.budget, max: number(parseInt(set.max, 10)) });
    } else if (rule === "cumulative") {
      if (overOne) {
        problem = say(data.messagePointsPerProject, { budget: set.budget, max: number(parseInt(set.maxPoints, 10)) });
      } else if (points > parseInt(set.points || "0", 10)) {
        problem = say(data.messageTooManyPoints, { budget: set.budget, points: number(parseInt(set.points || "0", 10)) });
      }
    }
    var show = function (selector, text) {
      var element = fieldset.querySelector(selector);
      if (element) { element.textContent = text; }
    };
    show("[data-total]", money(total));
    show("[data-left]", money(amount - total));
    show("[data-count]", number(count));
    show("[data-points-left]", number(parseInt(set.points || "0", 10) - points));
    var tally = fieldset.querySelector("[data-tally]");
    var box = fieldset.querySelector("[data-problem]");
    if (tally) { tally.classList.toggle("ballot-tally--over", Boolean(problem)); }
    if (box) { box.textContent = problem; box.hidden = !problem; }
    return { problem: problem, used: count > 0, group: set.group, groupName: set.groupName, groupMax: set.groupMax };
  }

  function update() {
    var problems = [];
    var marked = false;
    var used = 0;
    var groups = {};
    budgets.forEach(function (fieldset) {
      var state = check(fieldset);
      if (state.problem) { marked = true; }
      if (state.used) {
        used += 1;
        if (state.group) {
          var known = groups[state.group] || { name: state.groupName, max: parseInt(state.groupMax, 10), used: 0 };
          known.used += 1;
          groups[state.group] = known;
        }
      }
    });
    Object.keys(groups).forEach(function (key) {
      var known = groups[key];
      if (known.used > known.max) { problems.push(say(data.messageGroup, { group: known.name, max: number(known.max) })); }
    });
    if (!used) { problems.push(data.messageEmpty); }
    // A budget's own problem is said next to its choices; here, only that the ballot waits for a correction.
    if (marked) { problems.unshift(data.messageFix); }
    var blocking = problems.length > 0;
    if (submit) {
      submit.disabled = blocking;
      submit.setAttribute("aria-describedby", "ballot-problem");
    }
    if (problemBox) {
      // The empty ballot is the starting point, not a mistake: it only disables the button, with its reason.
      problemBox.textContent = problems.join(" ");
      problemBox.hidden = !blocking;
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) {
    update();
    if (submit && submit.disabled) { event.preventDefault(); }
  });
  update();
}());
