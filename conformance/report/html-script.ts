// The HTML report's script, inlined in the page: the filters and the failure dialogs. Plain ES2020
// so that any browser runs it; it reads only the page's own data-attributes.
export const SCRIPT = `
(() => {
  const rows = [...document.querySelectorAll('#matrix tbody tr')];
  const value = (id) => document.getElementById(id).value;
  function apply() {
    const file = value('filter-file'), edition = value('filter-edition'), outcome = value('filter-outcome');
    const shown = new Set([...document.querySelectorAll('#filter-runtime input:checked')].map((i) => i.dataset.runtime));
    for (const el of document.querySelectorAll('#matrix [data-runtime]')) el.hidden = !shown.has(el.dataset.runtime);
    let visible = 0;
    for (const tr of rows) {
      const cells = [...tr.querySelectorAll('td[data-runtime]')].filter((td) => shown.has(td.dataset.runtime));
      const ok = (file === '' || tr.dataset.file === file) && (edition === '' || tr.dataset.edition === edition) &&
        (outcome === '' || cells.some((td) => td.dataset.outcome === outcome));
      tr.hidden = !ok;
      if (ok) visible++;
    }
    document.getElementById('visible-count').textContent = visible + ' of ' + rows.length + ' entries shown';
  }
  document.getElementById('filters').addEventListener('change', apply);
  document.addEventListener('click', (ev) => {
    const button = ev.target instanceof Element ? ev.target.closest('button[data-evidence]') : null;
    if (button) document.getElementById(button.dataset.evidence).showModal();
  });
  apply();
})();
`;
