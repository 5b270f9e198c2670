import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegPath } from '@sentinel/frame-change';
import { TierProcess, apiFetch, describeWithSharedData, sharedPath, startProcess, waitFor } from '@sentinel/testing';
import { tempDataDir } from './support';

/**
 * The whole chain on a video the test builds from ../shared/data/faces: roof (ffmpeg) → fog (YOLO,
 * tracking, scene-change resets, face crops) → cloud (embedding, track decision) → notification.
 * Six people are enrolled (images 1 and 2) and shown by image 3; leonard (never enrolled) is the
 * stranger. Each person is 2 s of slow zoom on a background of their own (a cut between shots),
 * 10 fps, 480x360. Why these six and not stuart: test/cloud/face-recognition.e2e-spec.ts.
 */
const ENROLLED = ['amy', 'bernadette', 'howard', 'penny', 'raj', 'sheldon'];
const STRANGER = 'leonard';
const BACKGROUNDS = ['0x303030', '0xc0c0c0', '0x505080', '0x80a050', '0x906030', '0x404040', '0xd0b090'];
const SECONDS_EACH = 2;

async function buildVideo(path: string): Promise<void> {
  const shots = [...ENROLLED.map((name) => [name, 3] as const), [STRANGER, 1] as const];
  const inputs = shots.flatMap(([name, n]) => ['-loop', '1', '-framerate', '10', '-t', String(SECONDS_EACH), '-i', sharedPath('data', 'faces', name, `${name}${n}.png`)]);
  const filters = shots.map(
    (_, i) =>
      `[${i}:v]format=gray,scale=200:200,format=rgb24,pad=480:360:140:80:color=${BACKGROUNDS[i]},format=yuv420p,` +
      `zoompan=z='1+0.008*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=480x360:fps=10[v${i}]`,
  );
  const concat = `${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[out]`;
  await promisify(execFile)(resolveFfmpegPath(process.env.FFMPEG_PATH), ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', `${filters.join(';')};${concat}`, '-map', '[out]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', path]);
}

interface SightingRow {
  trackId: number;
  decision: 'named' | 'unknown' | 'undecided';
  identityId: string | null;
}

describeWithSharedData('faces on video through roof, fog and cloud: enrolled people named, the stranger alerted once', () => {
  jest.setTimeout(300_000);
  const data = tempDataDir('face-video-');
  const video = join(data.dir, 'faces.mp4');
  const common = ['--set', `dataDir=${data.dir}`, '--port', '0', '--set', 'http.host=127.0.0.1'];
  let running: TierProcess | undefined;
  const ids: Record<string, string> = {};

  afterAll(async () => {
    await running?.stop();
    data.remove();
  });

  beforeAll(async () => {
    await buildVideo(video);
    // First boot: enroll through REST (the roof plays its demo camera meanwhile), then stop.
    running = await startProcess('main.js', common);
    const base = `http://127.0.0.1:${running.port}`;
    for (const name of ENROLLED) {
      const created = await apiFetch(`${base}/people`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      ids[name] = ((await created.json()) as { id: string }).id;
      const form = new FormData();
      for (const n of [1, 2]) form.append('images', new Blob([await readFile(sharedPath('data', 'faces', name, `${name}${n}.png`))], { type: 'image/png' }), `${name}${n}.png`);
      expect((await apiFetch(`${base}/people/${ids[name]}/faces`, { method: 'POST', body: form })).status).toBe(201);
    }
    await running.stop();
    // Second boot on the same data folder: the video through every tier.
    // Tracks that stay undecided end 3 s after their last crop (cloud.trackEndMs), inside the 5 s quiet window below.
    running = await startProcess('main.js', [
      ...common,
      '--source',
      video,
      '--set',
      `fog.modelPath=${sharedPath('models', 'yolov5n_fp16_640.onnx')}`,
      '--set',
      'fog.family=yolov5',
      '--set',
      'cloud.trackEndMs=3000',
    ]);
    const stats = async () => (await (await apiFetch(`http://127.0.0.1:${running!.port}/stats`)).json()) as { components: Record<string, Record<string, number>> };
    // Done when the fog has seen frames, its queue is empty and nothing moved for 5 s (bounded: 4 min).
    let last = -1;
    let stableSince = Date.now();
    await waitFor(
      async () => {
        const s = await stats();
        const progress = (s.components.detection?.frames ?? 0) + (s.components['face-recognition']?.cropsReceived ?? 0);
        if (progress !== last) {
          last = progress;
          stableSince = Date.now();
        }
        return progress > 0 && s.components.detection?.queueDepth === 0 && Date.now() - stableSince > 5000 ? true : undefined;
      },
      240_000,
      'the video to pass through every tier',
      1000,
    );
  });

  it('names every enrolled person, raises exactly one intruder alert (the stranger), none for an enrolled person', async () => {
    const base = `http://127.0.0.1:${running!.port}`;
    const sightings = ((await (await apiFetch(`${base}/sightings?limit=500`)).json()) as { items: SightingRow[] }).items;
    const named = new Set(sightings.filter((s) => s.decision === 'named').map((s) => s.identityId));
    for (const name of ENROLLED) expect({ name, named: named.has(ids[name]) }).toEqual({ name, named: true });

    const events = (await (await apiFetch(`${base}/events?kind=intruder&limit=500`)).json()) as { items: { subject?: string; trackId?: number }[] };
    expect(events.items).toHaveLength(1);
    const [alert] = events.items;
    expect(alert.subject).toMatch(/^unknown-\d+$/);
    // The alerted track was decided unknown and never named: it is not an enrolled person's track.
    const ofTrack = sightings.filter((s) => s.trackId === alert.trackId);
    expect(ofTrack.some((s) => s.decision === 'unknown')).toBe(true);
    expect(ofTrack.some((s) => s.decision === 'named')).toBe(false);
    const unknownTracks = new Set(sightings.filter((s) => s.decision === 'unknown').map((s) => s.trackId));
    expect([...unknownTracks]).toEqual([alert.trackId]);
  });
});
