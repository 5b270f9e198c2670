import { decadeBounds, linePath, logScale, Series } from '../chart';
import { h, replace, svg } from '../dom';
import { formatMs, formatPercent, formatRate, formatBytes } from '../format';
import { HISTORY, LiveSample, POLL_MS } from '../live-stats';
import { BandwidthRates, BandwidthTotals, healthByTier, shareOfRaw, StageSummary } from '../stats-model';
import { View } from './view';

export const SERIES_COLOURS = { raw: '#8e8e93', roofToFog: '#0a84ff', fogToCloud: '#30d158' };

const CHART_WIDTH = 720;
const CHART_HEIGHT = 170;
const AXIS = 64;
/** Room above the top grid line for its label. */
const TOP = 10;

function bandwidthChart(history: BandwidthRates[]): SVGElement {
  const series: Series[] = [
    { name: 'raw (every frame as JPEG)', colour: SERIES_COLOURS.raw, values: history.map((r) => r.raw) },
    { name: 'roof → fog', colour: SERIES_COLOURS.roofToFog, values: history.map((r) => r.roofToFog) },
    { name: 'fog → cloud', colour: SERIES_COLOURS.fogToCloud, values: history.map((r) => r.fogToCloud) },
  ];
  const { min, max } = decadeBounds(series.flatMap((s) => s.values));
  const scale = logScale(min, max, CHART_HEIGHT);
  const y = (value: number) => TOP + scale(value);
  const width = CHART_WIDTH - AXIS;
  const root = svg('svg', { viewBox: `0 0 ${CHART_WIDTH} ${TOP + CHART_HEIGHT + 24}`, class: 'chart', role: 'img', 'aria-label': 'bandwidth per tier, bytes per second, log scale' });
  for (let decade = min; decade <= max * 1.0001; decade *= 10) {
    const at = y(decade);
    root.appendChild(svg('line', { x1: AXIS, x2: CHART_WIDTH, y1: at, y2: at, class: 'grid' }));
    root.appendChild(svg('text', { x: AXIS - 6, y: at + 4, class: 'tick', 'text-anchor': 'end' }, formatRate(decade)));
  }
  root.appendChild(svg('text', { x: AXIS, y: TOP + CHART_HEIGHT + 18, class: 'tick' }, `${(HISTORY * POLL_MS) / 60_000} min ago`));
  root.appendChild(svg('text', { x: CHART_WIDTH, y: TOP + CHART_HEIGHT + 18, class: 'tick', 'text-anchor': 'end' }, 'now'));
  const plot = svg('g', { transform: `translate(${AXIS},0)` });
  for (const s of series) plot.appendChild(svg('path', { d: linePath(s.values, HISTORY, width, y), stroke: s.colour, class: 'series', 'data-series': s.name }));
  root.appendChild(plot);
  return root;
}

/** The three headline figures: raw, roof->fog and fog->cloud, with the share of raw. */
export function bandwidthCards(rates: BandwidthRates | undefined, totals: BandwidthTotals): HTMLElement {
  const card = (name: string, colour: string, value: number | undefined, share: string, total: string) =>
    h(
      'div',
      { class: 'kpi', style: `border-top-color:${colour}` },
      h('div', { class: 'kpi-name' }, name),
      h('div', { class: 'kpi-value' }, value === undefined ? '–' : formatRate(value)),
      h('div', { class: 'kpi-share' }, share),
      h('div', { class: 'kpi-total' }, total),
    );
  return h(
    'div',
    { class: 'kpis', 'data-testid': 'bandwidth' },
    card('Raw video', SERIES_COLOURS.raw, rates?.raw, 'every frame as JPEG', totals.raw === undefined ? 'not measured (roof.measureRawJpeg) nor estimable here' : `${formatBytes(totals.raw)} in total`),
    card('Roof → fog', SERIES_COLOURS.roofToFog, rates?.roofToFog, `${formatPercent(shareOfRaw(totals.roofToFog, totals.raw))} of raw`, `${formatBytes(totals.roofToFog)} in total`),
    card('Fog → cloud', SERIES_COLOURS.fogToCloud, rates?.fogToCloud, `${formatPercent(shareOfRaw(totals.fogToCloud, totals.raw))} of raw`, `${formatBytes(totals.fogToCloud)} in total`),
  );
}

function latencyTable(stages: Record<string, StageSummary>): HTMLElement {
  const entries = Object.entries(stages).filter(([, s]) => s.count > 0);
  const top = Math.max(1, ...entries.map(([, s]) => s.p95));
  return h(
    'table',
    { class: 'latency', 'data-testid': 'latency' },
    h('thead', {}, h('tr', {}, h('th', {}, 'stage'), h('th', {}, 'p50'), h('th', {}, 'p95'), h('th', {}, 'count'), h('th', { class: 'bar-cell' }, ''))),
    h(
      'tbody',
      {},
      ...entries.map(([name, s]) =>
        h(
          'tr',
          {},
          h('td', {}, name),
          h('td', {}, formatMs(s.p50)),
          h('td', {}, formatMs(s.p95)),
          h('td', {}, String(s.count)),
          h('td', { class: 'bar-cell' }, h('span', { class: 'bar p95', style: `width:${((s.p95 / top) * 100).toFixed(1)}%` }, h('span', { class: 'bar p50', style: `width:${s.p95 > 0 ? ((s.p50 / s.p95) * 100).toFixed(1) : 0}%` }))),
        ),
      ),
    ),
  );
}

function healthPanel(sample: LiveSample): HTMLElement {
  if (!sample.health) return h('p', { class: 'error-text' }, 'health unavailable');
  return h(
    'div',
    { class: 'health-grid', 'data-testid': 'health', 'data-status': sample.health.status },
    ...healthByTier(sample.health).map((tier) =>
      h(
        'div',
        { class: `tier ${tier.condition}` },
        h('h4', {}, h('span', { class: 'dot' }), tier.tier, h('small', {}, tier.condition === 'up' ? ' all up' : ` ${tier.problems.length} not up`)),
        h('ul', {}, ...tier.components.map((c) => h('li', { class: c.status === 'up' ? 'up' : c.status === 'degraded' ? 'degraded' : 'down' }, h('span', { class: 'dot' }), c.name, c.status === 'up' ? '' : ` (${c.status})`))),
        tier.problems.length ? h('p', { class: 'error-text' }, tier.problems.join('; ')) : null,
      ),
    ),
  );
}

export const networkView: View = (container, { live }) => {
  const body = h('div', {}, h('p', { class: 'empty' }, 'waiting for the first figures…'));
  replace(container, h('div', { class: 'view-head' }, h('h2', {}, 'Network and health')), body);
  const render = (sample: LiveSample) => {
    replace(
      body,
      bandwidthCards(sample.rates, sample.totals),
      h('section', { class: 'panel' }, h('h3', {}, 'Bandwidth per tier (bytes/s, log scale)'), legend(), bandwidthChart(sample.history)),
      h('div', { class: 'columns' }, h('section', { class: 'panel' }, h('h3', {}, 'Latency per stage'), latencyTable(sample.stats.stages)), h('section', { class: 'panel' }, h('h3', {}, `Health (process tier: ${sample.stats.tier})`), healthPanel(sample))),
    );
  };
  return live.subscribe(render);
};

function legend(): HTMLElement {
  return h(
    'div',
    { class: 'legend' },
    ...Object.entries({ 'raw (every frame as JPEG)': SERIES_COLOURS.raw, 'roof → fog': SERIES_COLOURS.roofToFog, 'fog → cloud': SERIES_COLOURS.fogToCloud }).map(([name, colour]) =>
      h('span', {}, h('span', { class: 'swatch', style: `background:${colour}` }), name),
    ),
  );
}

