// The progress bar of a background import: asks the server for news every few seconds and
// shows the report when the job is over. Without JavaScript, the page reloads by itself
// (<meta http-equiv="refresh"> in a <noscript>) and offers a reload link.
(() => {
  const root = document.querySelector('[data-crm-import-progress]');
  if (!root) {
    return;
  }
  const url = root.dataset.url;
  const interval = Number(root.dataset.interval) || 1500;
  const bar = root.querySelector('[role="progressbar"]');
  const fill = root.querySelector('[data-progress-fill]');
  const text = root.querySelector('[data-progress-text]');
  const phase = root.querySelector('[data-progress-phase]');
  const message = root.querySelector('[data-progress-message]');

  const show = (state) => {
    bar.setAttribute('aria-valuenow', String(state.percent));
    bar.setAttribute('aria-valuetext', state.text);
    fill.style.width = `${state.percent}%`;
    if (text.textContent !== state.text) {
      text.textContent = state.text;
    }
    if (phase.textContent !== state.phase) {
      phase.textContent = state.phase;
    }
    message.textContent = state.message;
    message.hidden = !state.message;
    root.classList.toggle('crm-import-progress--stalled', state.stalled);
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (response.ok) {
        const state = await response.json();
        show(state);
        if (state.finished) {
          window.location.assign(state.url);
          return;
        }
      } else if (response.status === 404) {
        window.location.reload(); // cancelled or gone: the page says which
        return;
      }
    } catch (error) {
      // The network or the server hiccuped: try again at the next tick.
    }
    window.setTimeout(poll, interval);
  };

  window.setTimeout(poll, interval);
})();
