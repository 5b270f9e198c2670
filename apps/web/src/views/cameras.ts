import { h, replace, stopImages } from '../dom';
import { formatBytes, formatPercent } from '../format';
import { LiveSample } from '../live-stats';
import { CameraSnapshot, cameraRates } from '../stats-model';
import { View } from './view';

const streamUrl = (id: string, fps: number) => `/cameras/${encodeURIComponent(id)}/stream.mjpeg?fps=${fps}`;

function liveImage(camera: CameraSnapshot, fps: number, large: boolean): HTMLImageElement {
  return h('img', {
    class: large ? 'live large' : 'live',
    src: streamUrl(camera.id, fps),
    alt: `live view of camera ${camera.id}`,
    'data-live': 'true',
    'data-camera': camera.id,
    width: camera.width,
    height: camera.height,
  });
}

function stateBadge(camera: CameraSnapshot): HTMLElement {
  return h('span', { class: `badge state-${camera.state}`, 'data-testid': 'camera-state' }, camera.state);
}

/** The camera figures under a view, refreshed in place on every sample. */
function figures(camera: CameraSnapshot, sample: LiveSample): HTMLElement {
  const rates = cameraRates(sample.previousCameras.get(camera.id), camera, sample.seconds);
  return h(
    'div',
    { class: 'figures' },
    stateBadge(camera),
    h('span', { title: 'decoded frames per second' }, `${rates.fps.toFixed(1)} fps`),
    h('span', { title: 'share of decoded frames that changed and were forwarded' }, `change ${formatPercent(rates.changeRate)}`),
    h('span', { title: 'bytes forwarded to the fog' }, `${formatBytes(camera.bytesForwarded)} sent`),
    camera.lastError && camera.state !== 'running' ? h('span', { class: 'error-text' }, camera.lastError) : null,
  );
}

export const camerasView: View = (container, { live }, selected) => {
  const grid = h('div', { class: 'camera-grid', 'data-testid': 'camera-grid' });
  const title = h('h2', {}, selected ? `Camera ${selected}` : 'Cameras');
  const back = selected ? h('a', { href: '#cameras', class: 'back' }, '← all cameras') : null;
  replace(container, h('div', { class: 'view-head' }, title, back), grid);
  const tiles = new Map<string, { figures: HTMLElement }>();

  const render = (sample: LiveSample) => {
    const cameras = sample.cameras.filter((c) => !selected || c.id === selected);
    if (cameras.length === 0) {
      if (tiles.size === 0) replace(grid, h('p', { class: 'empty' }, selected ? `No camera ${selected} in this process.` : 'No camera in this process (the roof and fog tiers list their cameras).'));
      return;
    }
    if (tiles.size === 0) grid.replaceChildren();
    for (const camera of cameras) {
      const known = tiles.get(camera.id);
      const info = figures(camera, sample);
      if (known) {
        known.figures.replaceWith(info);
        known.figures = info;
        continue;
      }
      const tile = selected
        ? h('figure', { class: 'camera large', 'data-testid': 'camera-large' }, liveImage(camera, 10, true), h('figcaption', {}, h('strong', {}, camera.id), info))
        : h(
            'figure',
            { class: 'camera', 'data-testid': 'camera-tile', 'data-camera': camera.id },
            h('a', { href: `#cameras/${encodeURIComponent(camera.id)}`, title: 'open the large live view' }, liveImage(camera, 5, false)),
            h('figcaption', {}, h('strong', {}, camera.id), info),
          );
      grid.appendChild(tile);
      tiles.set(camera.id, { figures: info });
    }
  };
  const unsubscribe = live.subscribe(render);
  return () => {
    unsubscribe();
    stopImages(container);
  };
};
