"use strict";
// The admin's autocomplete (Select2) names its box only by the chosen value (nothing while none is chosen), and its
// search field not at all: each is named by the field's label, then the chosen value. Runs after the admin's
// autocomplete.js has set Select2 up (jQuery runs ready handlers in order).
django.jQuery(function () {
  for (const select of document.querySelectorAll("select.admin-autocomplete:not([name*=__prefix__])")) {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const box = select.nextElementSibling;
    if (!label || !box) continue;
    label.id ||= `${select.id}-label`;
    const value = box.querySelector(".select2-selection__rendered[role=textbox]")?.id;  // a single choice's value
    const names = value ? `${label.id} ${value}` : label.id;
    for (const named of box.querySelectorAll(".select2-selection--single, [role=textbox], .select2-search__field")) {
      named.setAttribute("aria-labelledby", names);
    }
  }
});
