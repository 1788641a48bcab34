/* Staff dashboard charts. Each <canvas data-chart="ID"> is drawn from the JSON that
 * the page put in <script type="application/json" id="ID"> (Django's json_script):
 * {type, labels, datasets: [{label, data}]}. No inline scripts; the same numbers are
 * in a table under each chart for readers without JavaScript.
 */
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe–Ito).
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"];

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function datasets(spec) {
    return spec.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: spec.type === "line" ? colour + "33" : colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 0,
        fill: spec.type === "line",
        tension: 0.25,
        pointRadius: spec.type === "line" ? 2 : 0,
      };
    });
  }

  function draw(canvas) {
    var spec = readData(canvas.dataset.chart);
    if (!spec || typeof window.Chart !== "function") {
      return;
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
