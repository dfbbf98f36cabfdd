// The page's entry point: draws the view the URL names, keeps in-page links in the page, and keeps the header
// (current section, number of excerpts in the report, key menu) up to date.

import { health } from "./api.js";
import { basketItems } from "./basket.js";
import { showBasket } from "./basket_view.js";
import { fill } from "./dom.js";
import { keyForm } from "./key_form.js";
import { showProblem, showProblems } from "./problems_view.js";
import { NAVIGATE_EVENT, navigate } from "./router.js";
import { showSearch } from "./search_view.js";
import { showSource } from "./source_view.js";
import { showUpload } from "./upload_view.js";

/** Each view: how to draw it, and which header section it belongs to. */
const VIEWS = {
  search: { show: showSearch, section: "search" },
  source: { show: showSource, section: "search" },
  basket: { show: showBasket, section: "basket" },
  problems: { show: showProblems, section: "problems" },
  problem: { show: showProblem, section: "problems" },
  upload: { show: showUpload, section: "upload" },
};

function start() {
  const main = document.getElementById("view");
  // A new navigation cancels what the previous view was still waiting for, so a slow answer never
  // overwrites a newer view.
  let current = new AbortController();
  const draw = async () => {
    current.abort();
    current = new AbortController();
    await drawView(main, current.signal);
  };
  window.addEventListener("popstate", draw);
  window.addEventListener(NAVIGATE_EVENT, draw);
  window.addEventListener("basketchange", showBasketCount);
  // Another tab changed the basket.
  window.addEventListener("storage", showBasketCount);
  document.addEventListener("click", followInPageLink);
  document.addEventListener("click", followSkipLink);
  fill(
    document.getElementById("key-panel"),
    keyForm("header", () => document.getElementById("key-menu").removeAttribute("open")),
  );
  showBasketCount();
  showKeyMenuWhenKeysExist();
  draw().then(() => {
    document.body.dataset.ready = "true";
  });
}

async function drawView(main, signal) {
  const parameters = new URLSearchParams(location.search);
  const name = VIEWS[parameters.get("view")] ? parameters.get("view") : "search";
  const view = VIEWS[name];
  const changed = main.dataset.view !== name;
  if (changed) {
    main.replaceChildren();
    main.dataset.view = name;
  }
  for (const link of document.querySelectorAll(".nav-list a")) {
    if (link.dataset.section === view.section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  await view.show(main, parameters, signal);
  // The first Tab of a search with results offers to jump over the header and the form to them.
  document.getElementById("skip-to-results").hidden = !main.querySelector("#results .hit");
  // After a change of view the keyboard starts at its heading, as after loading a new page.
  if (changed && !signal.aborted && name !== "search" && name !== "source") main.querySelector("h1")?.focus();
}

/** Links marked data-nav change the view without reloading; a new tab or window (Ctrl, middle button) still works. */
function followInPageLink(event) {
  const link = event.target.closest("a[data-nav]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
  window.scrollTo(0, 0);
}

/**
 * A skip link moves the keyboard to its target without changing the address: a "#results" in the URL would be
 * taken for a new view and draw the search again.
 */
function followSkipLink(event) {
  const link = event.target.closest("a.skip-link");
  if (!link) return;
  event.preventDefault();
  const target = document.querySelector(link.getAttribute("href"));
  target?.focus({ preventScroll: true });
  target?.scrollIntoView({ block: "start" });
}

/** The key menu only on a server that uses keys: elsewhere it would ask for something nobody has. */
async function showKeyMenuWhenKeysExist() {
  const menu = document.getElementById("key-menu");
  try {
    menu.hidden = !(await health()).keys;
  } catch {
    menu.hidden = false;
  }
}

function showBasketCount() {
  const count = basketItems().length;
  const badge = document.getElementById("basket-count");
  badge.textContent = String(count);
  badge.setAttribute("aria-label", `витягів: ${count}`);
}

start();
