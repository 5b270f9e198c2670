import { CameraConfig, CameraDefaults, ChangeDetectionConfig, DemoCameraConfig, ForwardPolicy, RoofConfig, VideoConfig, mergeOver } from '@sentinel/config';
import { ResolvedSourceKind, isLiveKind, resolveSourceKind } from '../ffmpeg/source';
import { demoLavfiGraph } from './demo-source';

/** Everything one camera runs with: its config merged over the roof defaults. */
export interface CameraSettings {
  id: string;
  source: string;
  kind: ResolvedSourceKind;
  /** stream or device: never ends by itself; frames are dropped rather than the source paused. */
  live: boolean;
  fps?: number;
  width?: number;
  height?: number;
  loop: boolean;
  pace: boolean;
  policy: ForwardPolicy;
  heartbeatSeconds: number;
  jpegQuality: number;
  detection: ChangeDetectionConfig;
  video: VideoConfig;
  inputOptions: string[];
  /** Files read as fast as possible wait for the link (nothing lost); live or paced sources drop. */
  whenFull: 'wait' | 'drop';
}

export function resolveCameraSettings(camera: CameraConfig, roof: RoofConfig): CameraSettings {
  const kind = resolveSourceKind(camera.source, camera.kind);
  const live = isLiveKind(kind);
  const { policy, heartbeatSeconds, jpegQuality, detection, video } = mergeOver(cameraDefaults(roof), camera);
  return {
    id: camera.id,
    source: camera.source,
    kind,
    live,
    fps: camera.fps,
    width: camera.width,
    height: camera.height,
    loop: camera.loop ?? false,
    pace: camera.pace ?? true,
    policy,
    heartbeatSeconds,
    jpegQuality,
    detection,
    video,
    inputOptions: camera.inputOptions ?? [],
    whenFull: !live && camera.pace === false ? 'wait' : 'drop',
  };
}

/** The roof's values of the settings a camera may override (CameraDefaults, the part of RoofConfig cameras merge over). */
function cameraDefaults(roof: RoofConfig): CameraDefaults {
  const { policy, heartbeatSeconds, jpegQuality, detection, video } = roof;
  return Object.assign(new CameraDefaults(), { policy, heartbeatSeconds, jpegQuality, detection, video });
}

/** The cameras the roof runs: the configured ones, or the lavfi demo camera when none is configured. */
export function camerasToRun(roof: RoofConfig): CameraConfig[] {
  if (roof.cameras.length > 0) return roof.cameras;
  return roof.demo.enabled ? [demoCamera(roof.demo)] : [];
}

export function demoCamera(demo: DemoCameraConfig): CameraConfig {
  return Object.assign(new CameraConfig(), {
    id: demo.id,
    source: `lavfi:${demoLavfiGraph(demo)}`,
    kind: 'lavfi',
    pace: true,
    loop: false,
  });
}

/** Hides credentials in URLs (rtsp://user:secret@host/...) before a source goes into logs, alerts or /health. */
export function redactSource(source: string): string {
  const redacted = source.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
  // lavfi graphs (the demo scene) run to hundreds of characters: keep their start.
  return redacted.startsWith('lavfi:') && redacted.length > 80 ? `${redacted.slice(0, 77)}...` : redacted;
}
