import { runFfmpeg } from '@sentinel/evaluation';
import { sharedPath } from '@sentinel/testing';

export interface FaceVideoPerson {
  /** A folder of ../shared/data/faces. */
  person: string;
  /** Which of the person's images (1..3) are shown, in order. */
  images: number[];
  /** Horizontal centre of the face in the frame, 0..1. */
  centreX: number;
}

const WIDTH = 640;
const HEIGHT = 480;
const FPS = 10;
const FACE_SIDE = 280;
const SECONDS_PER_IMAGE = 2;
/** Longer than the fog tracker's 2 s idle time, so each person is a new track. */
const GAP_SECONDS = 2.5;

/**
 * An H.264 clip (MPEG-TS, streamable over HTTP) of face images of ../shared/data/faces: each image shown for 2 s with a slow zoom
 * (so consecutive frames differ and the roof forwards them), people one after the other with an
 * empty grey gap between them.
 */
export async function writeFaceVideo(target: string, people: readonly FaceVideoPerson[]): Promise<void> {
  const inputs: string[] = [];
  const chains: string[] = [];
  const labels: string[] = [];
  const framesPerImage = SECONDS_PER_IMAGE * FPS;
  people.forEach((p, pi) => {
    if (pi > 0) {
      const gap = `gap${pi}`;
      chains.push(`color=c=gray:s=${WIDTH}x${HEIGHT}:r=${FPS}:d=${GAP_SECONDS},format=yuv420p,setsar=1[${gap}]`);
      labels.push(`[${gap}]`);
    }
    for (const n of p.images) {
      const index = inputs.length / 2;
      inputs.push('-i', sharedPath('data', 'faces', p.person, `${p.person}${n}.png`));
      const left = Math.round(p.centreX * WIDTH - FACE_SIDE / 2);
      const label = `v${index}`;
      chains.push(
        `[${index}:v]format=gray,scale=${FACE_SIDE}:${FACE_SIDE},format=yuv420p,` +
          `pad=${WIDTH}:${HEIGHT}:${left}:${Math.round((HEIGHT - FACE_SIDE) / 2)}:color=gray,` +
          `zoompan=z='1+0.004*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${framesPerImage}:s=${WIDTH}x${HEIGHT}:fps=${FPS},setsar=1[${label}]`,
      );
      labels.push(`[${label}]`);
    }
  });
  const filter = `${chains.join(';')};${labels.join('')}concat=n=${labels.length}:v=1:a=0[out]`;
  await runFfmpeg([...inputs, '-filter_complex', filter, '-map', '[out]', '-r', String(FPS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-f', 'mpegts', target]);
}
