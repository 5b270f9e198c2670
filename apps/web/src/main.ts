import { ApiError, api, login, logout, onUnauthorized } from './api';
import { h, replace } from './dom';
import { formatPercent, formatRate } from './format';
import { LiveSample, LiveStats } from './live-stats';
import { healthByTier, shareOfRaw } from './stats-model';
import { camerasView } from './views/cameras';
import { eventsView } from './views/events';
import { networkView } from './views/network';
import { peopleView } from './views/people';
import { View, ViewContext } from './views/view';

const VIEWS: Record<string, { title: string; view: View }> = {
  cameras: { title: 'Cameras', view: camerasView },
  events: { title: 'Events', view: eventsView },
  people: { title: 'People', view: peopleView },
  network: { title: 'Network', view: networkView },
};

const root = document.getElementById('app') as HTMLElement;
let live: LiveStats | undefined;
let unmount: (() => void) | undefined;

function showLogin(reason?: string): void {
  unmount?.();
  unmount = undefined;
  live?.stop();
  live = undefined;
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'current-password', required: true, placeholder: 'API key', 'data-testid': 'api-key', autofocus: true });
  const status = h('p', { class: 'status error', 'data-testid': 'login-error', role: 'alert' }, reason ?? '');
  const submit = async (event: Event) => {
    event.preventDefault();
    status.textContent = '';
    try {
      if (await login(key.value.trim())) return void start();
      status.textContent = 'Wrong key: this server refused it.';
    } catch (error) {
      status.textContent = (error as Error).message;
    }
    key.select();
  };
  replace(
    root,
    h(
      'main',
      { class: 'login' },
      h(
        'form',
        { class: 'panel', onsubmit: (e: Event) => void submit(e), 'data-testid': 'login-form' },
        h('h1', {}, 'edge-sentinel'),
        h('p', { class: 'muted' }, 'Enter the API key of this server (http.apiKeys, or the file <dataDir>/api-key it wrote at first boot). The page keeps it as a session cookie.'),
        key,
        h('button', { type: 'submit' }, 'Open the dashboard'),
        status,
      ),
    ),
  );
  key.focus();
}

/** The header strip: the bandwidth headline and each tier's health, on every view. */
function headline(sample: LiveSample): HTMLElement {
  const rates = sample.rates;
  const tiers = sample.health ? healthByTier(sample.health) : [];
  const figure = (name: string, value: number | undefined, share?: string) =>
    h('span', { class: 'headline-figure' }, h('small', {}, name), h('b', {}, value === undefined ? '–' : formatRate(value)), share ? h('small', {}, share) : null);
  return h(
    'div',
    { class: 'headline', 'data-testid': 'headline' },
    figure('raw', rates?.raw),
    h('span', { class: 'arrow' }, '→'),
    figure('roof→fog', rates?.roofToFog, `${formatPercent(shareOfRaw(sample.totals.roofToFog, sample.totals.raw))} of raw`),
    h('span', { class: 'arrow' }, '→'),
    figure('fog→cloud', rates?.fogToCloud, `${formatPercent(shareOfRaw(sample.totals.fogToCloud, sample.totals.raw))} of raw`),
    h('span', { class: 'tiers' }, ...tiers.map((t) => h('span', { class: `tier-dot ${t.condition}`, title: t.problems.length ? t.problems.join('; ') : 'all up' }, h('span', { class: 'dot' }), t.tier))),
  );
}

function start(): void {
  live?.stop();
  live = new LiveStats();
  const content = h('main', { class: 'content' });
  const status = h('div', { class: 'toast', role: 'status', 'data-testid': 'toast' });
  const strip = h('div', { class: 'headline' });
  const nav = h('nav', {}, ...Object.entries(VIEWS).map(([id, v]) => h('a', { href: `#${id}`, 'data-view': id }, v.title)));
  let toastTimer: number | undefined;
  const context: ViewContext = {
    live,
    notify: (message, kind = 'info') => {
      status.textContent = message;
      status.className = `toast show ${kind}`;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => (status.className = 'toast'), 4_000);
    },
  };
  replace(
    root,
    h('header', {}, h('h1', {}, 'edge-sentinel'), nav, strip, h('button', { class: 'link', onclick: () => void logout().then(() => showLogin()), 'data-testid': 'logout' }, 'Log out')),
    content,
    status,
  );
  live.subscribe((sample) => {
    replace(strip, ...Array.from(headline(sample).childNodes));
  });
  const route = () => {
    const [id, argument] = decodeURIComponent(location.hash.slice(1)).split('/');
    const entry = VIEWS[id] ?? VIEWS.cameras;
    for (const link of Array.from(nav.querySelectorAll('a'))) link.classList.toggle('active', link.dataset.view === (VIEWS[id] ? id : 'cameras'));
    unmount?.();
    unmount = entry.view(content, context, argument || undefined);
  };
  window.onhashchange = route;
  route();
  live.start();
}

async function boot(): Promise<void> {
  onUnauthorized(() => {
    if (live) showLogin('The session ended: enter the key again.');
  });
  try {
    // Any data call tells whether this browser already holds a session (or the server needs none).
    await api.get('/stats');
    start();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showLogin();
    else showLogin(`The server cannot be reached: ${(error as Error).message}`);
  }
}

void boot();
