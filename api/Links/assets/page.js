/* The hosted survey page (/s/{token}): hands the survey in the page's data block to the widget's page mode. */
(function () {
  'use strict';
  var data = document.getElementById('pulse-link');
  if (data && window.pulse) window.pulse('page', JSON.parse(data.textContent));
})();
