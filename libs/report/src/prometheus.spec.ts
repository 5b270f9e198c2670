import { metricByLabel, metricSum, parsePrometheus } from './prometheus';

const text = `# HELP sentinel_fog_detections_total Objects detected, per class
# TYPE sentinel_fog_detections_total counter
sentinel_fog_detections_total{label="person"} 359
sentinel_fog_detections_total{label="car"} 12
sentinel_fog_detections_total{label="a \\"quoted\\" one"} 1
sentinel_fog_frames_total{kind="frame"} 81
sentinel_cloud_intruder_alerts_total 0
sentinel_stage_seconds_bucket{le="+Inf",stage="inference"} 81
`;

describe('prometheus text', () => {
  const samples = parsePrometheus(text);

  it('parses names, labels (with escaped quotes) and values; comments are skipped', () => {
    expect(samples).toHaveLength(6);
    expect(samples[2]).toEqual({ name: 'sentinel_fog_detections_total', labels: { label: 'a "quoted" one' }, value: 1 });
    expect(samples[4]).toEqual({ name: 'sentinel_cloud_intruder_alerts_total', labels: {}, value: 0 });
  });

  it('sums a metric, optionally by labels, and groups it by one label', () => {
    expect(metricSum(samples, 'sentinel_fog_detections_total')).toBe(372);
    expect(metricSum(samples, 'sentinel_fog_detections_total', { label: 'person' })).toBe(359);
    expect(metricSum(samples, 'sentinel_missing_total')).toBe(0);
    expect(metricByLabel(samples, 'sentinel_fog_detections_total', 'label')).toEqual({ person: 359, car: 12, 'a "quoted" one': 1 });
  });
});
