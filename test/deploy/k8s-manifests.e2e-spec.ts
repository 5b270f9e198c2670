import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '@sentinel/config';
import { PROJECT_DIR, describeWithCommand } from '@sentinel/testing';

/** A rendered Kubernetes object, as far as these checks read it. */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field below
}

type Model = new (data: never) => { validate(): void };
/** The Kubernetes schemas (kubernetes-models, offline) of every kind the manifests may hold. */
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Model,
  'apps/v1/Deployment': Deployment as unknown as Model,
  'apps/v1/StatefulSet': StatefulSet as unknown as Model,
};

function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`not YAML: ${doc.errors[0].message}`);
    return doc.toJS() as K8sObject;
  }).filter(Boolean);
}

/** Every schema error of every object, each as `Kind/name: problem`; a kind without a schema is one too. */
function schemaErrors(objects: readonly K8sObject[]): string[] {
  const errors: string[] = [];
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata?.name ?? '?'}`;
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!model) {
      errors.push(`${where}: no schema for ${object.apiVersion} ${object.kind} (add it to MODELS or fix the manifest)`);
      continue;
    }
    try {
      new model(object as never).validate();
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
    }
  }
  return errors;
}

const K8S_DIR = join(PROJECT_DIR, 'deploy', 'k8s');
const OVERLAYS = readdirSync(join(K8S_DIR, 'overlays'));

function render(overlay: string): K8sObject[] {
  return parseManifests(execFileSync('kubectl', ['kustomize', join(K8S_DIR, 'overlays', overlay)], { encoding: 'utf8', timeout: 60_000 }));
}

/** CPU in millicores, memory in MiB, from Kubernetes quantities (`500m`, `2`, `384Mi`, `1Gi`). */
function quantity(value: string | number): number {
  const text = String(value);
  const match = /^(\d+(?:\.\d+)?)(m|Mi|Gi)?$/.exec(text);
  if (!match) throw new Error(`unexpected quantity ${text}`);
  const n = Number(match[1]);
  return match[2] === 'm' ? n : match[2] === 'Mi' ? n : match[2] === 'Gi' ? n * 1024 : n * 1000;
}

const SENTINEL_TIERS = ['roof', 'fog', 'cloud'];
const EDGE_TIERS = ['roof', 'fog'];

describeWithCommand('kubectl', ['version', '--client'], 'Kubernetes manifests (deploy/k8s) render and match the Kubernetes schemas', () => {
  it('has the cloud and at least two site overlays', () => {
    expect(OVERLAYS).toEqual(expect.arrayContaining(['cloud', 'site-a', 'site-b']));
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    const objects = render(overlay);
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const deployments = byKind('Deployment');

    it('renders only objects that validate against their schema', () => {
      expect(objects.length).toBeGreaterThan(3);
      expect(schemaErrors(objects)).toEqual([]);
      expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name)).size).toBe(1);
    });

    it.each(deployments.map((d) => [d.metadata.name, d] as const))('%s: placed by tier label, probed, sized, configured from a ConfigMap', (_name, deployment) => {
      const component = deployment.metadata.labels?.['app.kubernetes.io/component'] ?? '';
      const pod = deployment.spec.template.spec;
      // A site's Redis runs on its fog box; the cloud's on the cloud nodes.
      const siteRedis = component === 'redis' && overlay !== 'cloud';
      expect(pod.nodeSelector['edge-sentinel/tier']).toBe(component === 'redis' ? (siteRedis ? 'fog' : 'cloud') : component);
      if (EDGE_TIERS.includes(component) || siteRedis) {
        expect(pod.nodeSelector['node-role.kubernetes.io/edge']).toBe('');
        expect(pod.nodeSelector['edge-sentinel/site']).toBe(overlay);
        expect(pod.tolerations).toContainEqual(expect.objectContaining({ key: 'node-role.kubernetes.io/edge', operator: 'Exists' }));
      }
      for (const container of pod.containers) {
        const { requests, limits } = container.resources;
        expect(quantity(requests.cpu)).toBeLessThanOrEqual(quantity(limits.cpu));
        expect(quantity(requests.memory)).toBeLessThanOrEqual(quantity(limits.memory));
        expect(container.livenessProbe).toBeDefined();
        expect(container.readinessProbe).toBeDefined();
      }
      const volumes = new Map<string, { configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }>(pod.volumes.map((v: { name: string }) => [v.name, v]));
      for (const claim of [...volumes.values()].flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []))) {
        expect(byKind('PersistentVolumeClaim').map((c) => c.metadata.name)).toContain(claim);
      }
      if (!SENTINEL_TIERS.includes(component)) return;
      const [container] = pod.containers;
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.env).toContainEqual({ name: 'TIER', value: component });
      expect(container.env).toContainEqual({ name: 'SENTINEL_HTTP__APIKEYS', valueFrom: { secretKeyRef: { name: 'sentinel-api-key', key: 'apiKeys' } } });
      const configName = volumes.get('config')?.configMap?.name;
      expect(byKind('ConfigMap').map((c) => c.metadata.name)).toContain(configName);
      if (component === 'cloud') expect(volumes.get('data')?.persistentVolumeClaim).toBeDefined();
    });

    it('gives every tier a configuration the app accepts, with links that reach a Service', () => {
      const dir = mkdtempSync(join(tmpdir(), 'k8s-config-'));
      try {
        const site = byKind('ConfigMap').find((c) => c.metadata.name.startsWith('sentinel-site'))?.data ?? {};
        const configs = byKind('ConfigMap').filter((c) => c.data?.['sentinel.yaml']);
        expect(configs.length).toBeGreaterThan(0);
        for (const map of configs) {
          const file = join(dir, `${map.metadata.name}.yaml`);
          writeFileSync(file, map.data!['sentinel.yaml']);
          const config = loadConfig({ file, env: site });
          expect(deployments.map((d) => d.metadata.labels?.['app.kubernetes.io/component'])).toContain(config.tier);
          if (config.tier === 'roof') expect(config.roof.cameras.length).toBeGreaterThan(0);
          if (config.tier !== 'cloud') expect(config.site).toBe(overlay);
          // Every link's own address is a Service of this namespace (a tcp host, a redis:// host); the
          // cloud's sources name each site's Redis Service in the site's namespace.
          for (const link of Object.values(config.links)) {
            const [host, port] = link.transport === 'tcp' ? [link.host, link.port] : link.url ? [new URL(link.url).hostname, Number(new URL(link.url).port || 6379)] : [undefined, undefined];
            if (host === undefined) continue;
            const service = byKind('Service').find((s) => s.metadata.name === host);
            expect(service?.spec.ports.map((p: { port: number }) => p.port)).toContain(port);
            for (const source of link.sources) expect(new URL(source.url).hostname).toBe(`redis.edge-sentinel-${source.site}.svc.cluster.local`);
          }
          if (config.tier === 'fog' || config.tier === 'roof') expect(config.links.roofToFog).toMatchObject({ transport: 'redis-streams', perCamera: true });
          if (config.tier === 'fog') {
            // Fog replicas: two share the cameras; the stated takeover bound is leaseTtlMs + 2 x renewMs.
            expect(deployments.find((d) => d.metadata.name === 'fog')?.spec.replicas).toBeGreaterThanOrEqual(2);
            expect(config.fog.replicas.leaseTtlMs + 2 * config.fog.replicas.renewMs).toBeLessThanOrEqual(10_000);
          }
          if (config.tier === 'cloud') expect(config.links.fogToCloud.sources.map((s) => s.site)).toEqual(['site-a', 'site-b']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('manifest validation catches a broken manifest', () => {
  const broken = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: fog }
spec:
  template:
    spec:
      containers:
        - name: fog
          image: edge-sentinel:0.1.0
          ports: [{ name: http, containerPort: "3000" }]
---
apiVersion: v1
kind: Service
metadata: { name: fog }
spec:
  ports: [{ port: 4001, targetPort: link }]
---
apiVersion: batch/v9
kind: CronJob
metadata: { name: mystery }
`;

  it('names the missing selector, the port given as a string and the kind without a schema', () => {
    const errors = schemaErrors(parseManifests(broken));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Deployment\/fog: .*(selector|containerPort)/);
    expect(errors.join('\n')).toMatch(/no schema for batch\/v9 CronJob/);
    const deploymentOnly = schemaErrors(parseManifests(broken.split('---')[0]));
    expect(deploymentOnly.join('\n')).toMatch(/must have required property 'selector'|containerPort must be integer/);
  });

  it('passes the same Deployment once it is fixed (the check is not failing everything)', () => {
    const fixed = broken.split('---')[0].replace('spec:\n  template:', 'spec:\n  selector: { matchLabels: { app: fog } }\n  template:').replace('containerPort: "3000"', 'containerPort: 3000');
    expect(schemaErrors(parseManifests(fixed))).toEqual([]);
  });
});
