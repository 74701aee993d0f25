// Small enhancements on top of pages that work without JavaScript.
// The booking form shows the total of its task segments as they change.
// "change" as well as "input": not every way of picking an option sends "input".
function showSegmentTotal(event) {
  var form = event.target.closest("form[data-segments]");
  if (!form) { return; }
  var total = 0;
  form.querySelectorAll("select[data-minutes]").forEach(function (select) {
    total += parseInt(select.value || "0", 10) || 0;
  });
  var out = form.querySelector("output[data-total]");
  if (out) { out.textContent = String(total); }
}
document.addEventListener("input", showSegmentTotal);
document.addEventListener("change", showSegmentTotal);
