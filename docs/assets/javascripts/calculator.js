// The home page's memory calculator (harness/hooks/calculator.py renders the form, its figures and
// its words). Every figure comes from the page; this script only adds them up, term by term in the
// order harness/qwen2/memory.py's need() does, so that tests/test_browser.py can compare the two.
(function () {
  var form = document.getElementById("calculator");
  if (!form) return;
  var all = JSON.parse(form.getAttribute("data-calculator"));
  var data = all.data, routes = all.routes, words = all.words;
  var GiB = 1073741824;
  var formats = {};
  data.formats.forEach(function (f) { formats[f.id] = f; });

  function number(id) {
    var input = document.getElementById(id);
    var value = Number(input.value);
    return input.value !== "" && input.checkValidity() ? value : null;
  }

  function show(id, html) { document.getElementById(id).innerHTML = html; }

  function update() {
    var format = formats[document.getElementById("calc-format").value];
    var route = routes[format.route];
    var context = number("calc-context"), sequences = number("calc-sequences");
    var memory = number("calc-memory");
    if (context === null || sequences === null || memory === null) return;
    var weights = format.bytes / GiB;
    var kv = context * sequences * data.kv_bytes_per_token / GiB;
    var overhead = data.reserve_gib + (format.route === "vllm" ? (1 - data.vllm_gpu_share) * memory : 0);
    var total = weights + kv + overhead;
    var fits = total <= memory;
    show("calc-weights", weights.toFixed(2));
    show("calc-kv", kv.toFixed(2));
    show("calc-overhead", overhead.toFixed(2));
    show("calc-total", total.toFixed(2));
    show("calc-weights-source", route.weights);
    show("calc-kv-source", words.src_kv);
    show("calc-overhead-source", route.overhead);
    var verdict = document.getElementById("calc-verdict");
    verdict.setAttribute("data-fits", fits ? "yes" : "no");
    verdict.innerHTML = words.verdict
      .replace("{verdict}", fits ? words.fits : words.no_fit)
      .replace("{total}", total.toFixed(2))
      .replace("{memory}", memory.toFixed(2))
      .replace("{route}", '<a href="' + route.page + '">' + route.name + "</a>");
    var yarn = document.getElementById("calc-yarn");
    yarn.hidden = context <= data.native_context;
    yarn.innerHTML = words.yarn;
  }

  form.hidden = false;
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  update();
})();
