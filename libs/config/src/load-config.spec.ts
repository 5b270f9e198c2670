import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, mergeConfigSources, validateConfig } from './load-config';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sentinel-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('gives the all-in-one embedded defaults with no sources', () => {
    const config = loadConfig({});
    expect(config.tier).toBe('all');
    expect(config.http.port).toBe(3000);
    expect(config.links.roofToFog.transport).toBe('inproc');
    expect(config.placement.cloud).toEqual(['face-recognition', 'notification']);
  });

  it('lets the environment override the file and --set override both', () => {
    const file = yamlFile('http:\n  port: 4000\nlinks:\n  fogToCloud:\n    transport: tcp\n    host: fog.local\n    port: 7000\n');
    const config = loadConfig({
      file,
      env: { SENTINEL_HTTP__PORT: '5000', SENTINEL_LINKS__FOGTOCLOUD__PORT: '7100', UNRELATED: 'x' },
      sets: ['http.port=6000'],
    });
    expect(config.http.port).toBe(6000);
    expect(config.links.fogToCloud).toMatchObject({ transport: 'tcp', host: 'fog.local', port: 7100 });
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        sets: [
          'tier=attic',
          'http.port=70000',
          'links.roofToFog.transport=carrier-pigeon',
          'links.fogToCloud.transport=tcp',
          'links.notification.transport=redis',
          'http.colour=blue',
        ],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tier: tier must be one of: all, roof, fog, cloud/),
        expect.stringMatching(/^http\.port: port must be 0\.\.65535/),
        expect.stringMatching(/^links\.roofToFog\.transport: transport must be one of: inproc, tcp, redis/),
        expect.stringMatching(/^links\.fogToCloud\.host: host is required for the tcp transport/),
        expect.stringMatching(/^links\.fogToCloud\.port: port is required for the tcp transport/),
        expect.stringMatching(/^links\.notification\.url: url is required for the redis transport/),
        expect.stringMatching(/^http\.colour: unknown key/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('rejects a port that is not a number', () => {
    expect(problemsOf(() => loadConfig({ sets: ['http.port=abc'] }))).toEqual([
      expect.stringMatching(/^http\.port: port must be an integer/),
    ]);
  });

  it('takes x264 options as key=value pairs only (empty for the preset as it is)', () => {
    expect(loadConfig({ sets: ['roof.video.x264Params=partitions=none:weightp=0'] }).roof.video.x264Params).toBe('partitions=none:weightp=0');
    expect(loadConfig({ sets: ['roof.video.x264Params=""'] }).roof.video.x264Params).toBe('');
    for (const bad of ['partitions', 'a=b;rm -rf /', 'a=b::c=d', '-threads 9']) {
      expect(problemsOf(() => loadConfig({ sets: [`roof.video.x264Params=${bad}`] }))).toEqual([expect.stringMatching(/^roof\.video\.x264Params: x264Params must be key=value pairs/)]);
    }
  });

  it('rejects an inproc link that would have to cross processes', () => {
    const problems = problemsOf(() => loadConfig({ sets: ['tier=fog'] }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^links\.roofToFog\.transport: inproc cannot cross processes/),
        expect.stringMatching(/^links\.fogToCloud\.transport: inproc cannot cross processes/),
      ]),
    );
  });

  it('accepts a split placement linked over tcp and redis', () => {
    const config = loadConfig({
      sets: [
        'tier=fog',
        'links.roofToFog.transport=tcp', 'links.roofToFog.host=0.0.0.0', 'links.roofToFog.port=4001',
        'links.fogToCloud.transport=redis', 'links.fogToCloud.url=redis://cloud:6379',
        'links.notification.transport=redis', 'links.notification.url=redis://cloud:6379',
      ],
    });
    expect(config.tier).toBe('fog');
  });

  it('checks the scale-out settings: per-camera and site sources need redis-streams, a site once, renewals well inside the lease', () => {
    expect(problemsOf(() => loadConfig({ sets: ['links.roofToFog.perCamera=true'] }))).toEqual([
      expect.stringMatching(/^links\.roofToFog\.perCamera: needs transport redis-streams/),
    ]);
    expect(problemsOf(() => loadConfig({ sets: ['links.fogToCloud.sources=[{site: a, url: "redis://a:6379"}]'] }))).toEqual([
      expect.stringMatching(/^links\.fogToCloud\.sources: needs transport redis-streams/),
    ]);
    const streams = ['links.fogToCloud.transport=redis-streams', 'links.fogToCloud.url=redis://cloud:6379'];
    expect(problemsOf(() => loadConfig({ sets: [...streams, 'links.fogToCloud.sources=[{site: a, url: "redis://a:6379"}, {site: a, url: "redis://b:6379"}]'] }))).toEqual([
      'links.fogToCloud.sources: each site may appear once',
    ]);
    expect(problemsOf(() => loadConfig({ sets: [...streams, 'links.fogToCloud.sources=[{site: "a b", url: "http://a"}]'] }))).toHaveLength(2);
    expect(problemsOf(() => loadConfig({ sets: ['fog.replicas.leaseTtlMs=3000', 'fog.replicas.renewMs=1500'] }))).toEqual([
      expect.stringMatching(/^fog\.replicas\.renewMs: renewMs must be at most a third of leaseTtlMs/),
    ]);
    expect(problemsOf(() => loadConfig({ sets: ['site=site a'] }))).toEqual([expect.stringMatching(/^site: site must match/)]);
    const config = loadConfig({
      sets: ['site=site-a', 'links.roofToFog.transport=redis-streams', 'links.roofToFog.url=redis://site:6379', 'links.roofToFog.perCamera=true', ...streams, 'links.fogToCloud.sources=[{site: site-b, url: "redis://b:6379"}]'],
    });
    expect({ site: config.site, perCamera: config.links.roofToFog.perCamera, sources: config.links.fogToCloud.sources, replicas: { ...config.fog.replicas } }).toEqual({
      site: 'site-a', perCamera: true, sources: [{ site: 'site-b', url: 'redis://b:6379' }], replicas: { leaseTtlMs: 5000, renewMs: 1000 },
    });
  });

  it('reports unreadable files and malformed YAML', () => {
    expect(problemsOf(() => loadConfig({ file: '/nonexistent/sentinel.yaml' }))[0]).toMatch(/cannot read/);
    expect(problemsOf(() => loadConfig({ file: yamlFile('http: [unclosed') }))[0]).toMatch(/not valid YAML/);
    expect(problemsOf(() => mergeConfigSources({ sets: ['no-equals-sign'] }))[0]).toMatch(/expected key\.path=value/);
  });

  it('validates a plain object the same way as files', () => {
    expect(() => validateConfig({ tier: 'cloud', links: { fogToCloud: { transport: 'redis', url: 'redis://x:1' }, notification: { transport: 'redis', url: 'redis://x:1' } } })).not.toThrow();
  });
});
