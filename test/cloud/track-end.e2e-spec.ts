import { AlertMessage, Patterns, validateContract } from '@sentinel/contracts';
import { FaceCropController, FaceRecognitionService } from '@sentinel/face-recognition';
import { describeWithSharedData, waitFor } from '@sentinel/testing';
import request from 'supertest';
import { CloudTestApp, createCloudTestApp, cropMessage, faceImage, faceJpeg, faceZoomJpeg, tempDataDir } from './support';

/**
 * A stranger whose faces land between the two thresholds (undecided) while the track runs: when no
 * more face comes for `cloud.trackEndMs`, the track-end rule decides from the pooled faces, and an
 * intruder alert follows that says so. The gallery is the leave-one-person-out fold of amy: the
 * seven others with all three images each; amy is the stranger, shown as a track of her images 2
 * and 3. In that fold (eval:faces --lopo, Tracks) her faces pool nearest howard at ~0.26, then ~0.24,
 * within ~0.02-0.03 of the second nearest: undecided while running, a stranger at the end ("no clear
 * match"). The count trigger is off (`trackEndFaces=0`) so the end is by time.
 */
const ENROLLED = ['bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];
const STRANGER = 'amy';
const STRANGER_IMAGES = [2, 3];
/** Long enough that the second face (one Human embedding away) arrives before the track ends. */
const END_MS = 5000;

/** Enrolls ENROLLED with all three images each through REST; returns their ids. */
async function enrollOthers(cloud: CloudTestApp): Promise<Record<string, string>> {
  const http = () => request(cloud.app.getHttpServer());
  const ids: Record<string, string> = {};
  for (const name of ENROLLED) {
    ids[name] = (await http().post('/people').send({ name }).expect(201)).body.id;
    let upload = http().post(`/people/${ids[name]}/faces`);
    for (const n of [1, 2, 3]) upload = upload.attach('images', await faceImage(name, n), `${name}${n}.png`);
    await upload.expect(201);
  }
  return ids;
}

describeWithSharedData('cloud track end: an undecided stranger track becomes an intruder decision (real Human, real SQLite)', () => {
  jest.setTimeout(180_000);
  const data = tempDataDir('track-end-');
  let cloud: CloudTestApp;
  let ids: Record<string, string> = {};
  const http = () => request(cloud.app.getHttpServer());

  beforeAll(async () => {
    cloud = await createCloudTestApp(data.dir, [`cloud.trackEndMs=${END_MS}`, 'cloud.trackEndFaces=0']);
    ids = await enrollOthers(cloud);
  });

  afterAll(async () => {
    await cloud?.close();
    data.remove();
  });

  it('a stranger track that stays undecided ends in one intruder alert decided at track end, carrying the pooled evidence', async () => {
    const handler = cloud.app.get(FaceCropController);
    cloud.links.clear();
    const crops = await Promise.all(STRANGER_IMAGES.map((n) => faceJpeg(STRANGER, n)));
    const outcomes = [];
    for (const jpeg of crops) outcomes.push(await handler.handleFaceCrop({ ...cropMessage(jpeg, 'cam-gate', 7), facesSeen: 4 }));
    // While the track runs: undecided, nothing sent (the gap this rule closes).
    expect(outcomes.map((o) => o.status)).toEqual(['undecided', 'undecided']);
    expect(cloud.links.sent).toEqual([]);

    const alert = await waitFor(() => cloud.links.alerts()[0], END_MS * 6, 'the intruder alert at track end', 200);
    const cfg = cloud.config.cloud;
    expect(alert).toMatchObject({ kind: 'intruder', cameraId: 'cam-gate', trackId: 7, subject: 'unknown-1', label: 'unknown face' });
    expect(alert.message).toMatch(/decided at track end \(no face for a while/);
    const evidence = alert.evidence!;
    expect(evidence).toMatchObject({ decidedAt: 'track-end', endTrigger: 'idle', facesPooled: 2, facesSeen: 4 });
    expect(ENROLLED.map((n) => ids[n])).toContain(evidence.nearestPersonId);
    expect(ENROLLED.map((n) => ids[n])).toContain(evidence.secondPersonId);
    expect(evidence.secondPersonId).not.toBe(evidence.nearestPersonId);
    expect(evidence.margin).toBeCloseTo(evidence.nearestSimilarity! - evidence.secondSimilarity!, 9);
    // Undecided while running: pooled between the thresholds; the reason is the rule's.
    expect(evidence.nearestSimilarity).toBeGreaterThanOrEqual(cfg.unknownThreshold);
    expect(evidence.nearestSimilarity).toBeLessThan(cfg.matchThreshold);
    if (evidence.endReason === 'no-clear-match') expect(evidence.margin).toBeLessThan(cfg.trackEndMargin);
    else expect(evidence).toMatchObject({ endReason: 'far-from-everyone' });
    if (evidence.endReason === 'far-from-everyone') expect(evidence.nearestSimilarity).toBeLessThan(cfg.trackEndThreshold);
    expect(alert.snapshot && crops.some((c) => Buffer.from(alert.snapshot!).equals(c))).toBe(true);
    expect(validateContract<AlertMessage>(Patterns.Alert, alert)).toMatchObject({ ok: true });
    expect(validateContract(Patterns.Alert, { ...alert, evidence: { ...evidence, decidedAt: 'later' } })).toMatchObject({ ok: false });
    expect(validateContract(Patterns.Alert, { ...alert, evidence: { ...evidence, endReason: 'hunch' } })).toMatchObject({ ok: false });
    // The identity went out first, then the alert; the decision is listed, and nothing more comes.
    expect(cloud.links.sent.map((s) => s.pattern)).toEqual([Patterns.Identity, Patterns.Alert]);
    expect(cloud.links.identities()).toEqual([expect.objectContaining({ known: false, identityId: 'unknown-1', trackId: 7, decision: 'unknown', facesPooled: 2 })]);
    const sightings = (await http().get('/sightings').query({ cameraId: 'cam-gate', decision: 'unknown' }).expect(200)).body;
    expect(sightings.items).toEqual([expect.objectContaining({ identityId: 'unknown-1', trackId: 7, facesPooled: 2 })]);
    expect(await cloud.app.get(FaceRecognitionService).endIdleTracks(Date.now() + 10 * END_MS)).toBe(0);
    expect(cloud.links.alerts()).toHaveLength(1);
  });

  it('an enrolled person whose track ends is named, never an intruder', async () => {
    const handler = cloud.app.get(FaceCropController);
    cloud.links.clear();
    for (const zoom of [1, 0.92]) await handler.handleFaceCrop(cropMessage(await faceZoomJpeg('sheldon', 3, zoom), 'cam-gate', 8));
    expect(cloud.links.identities().at(-1)).toMatchObject({ known: true, identityId: ids.sheldon, decision: 'named' });
    expect(await cloud.app.get(FaceRecognitionService).endIdleTracks(Date.now() + 10 * END_MS)).toBe(0);
    expect(cloud.links.alerts()).toEqual([]);
  });
});

describeWithSharedData('cloud track end by count: the face that brings an undecided track to cloud.trackEndFaces decides it (real Human)', () => {
  jest.setTimeout(180_000);
  const data = tempDataDir('track-end-faces-');
  let cloud: CloudTestApp;
  let ids: Record<string, string> = {};

  beforeAll(async () => {
    cloud = await createCloudTestApp(data.dir, ['cloud.trackEndMs=0', `cloud.trackEndFaces=${STRANGER_IMAGES.length}`]);
    ids = await enrollOthers(cloud);
  });

  afterAll(async () => {
    await cloud?.close();
    data.remove();
  });

  it('the first face keeps looking; the second decides the track a stranger and raises the alert in the same call', async () => {
    const handler = cloud.app.get(FaceCropController);
    cloud.links.clear();
    const crops = await Promise.all(STRANGER_IMAGES.map((n) => faceJpeg(STRANGER, n)));
    expect(await handler.handleFaceCrop(cropMessage(crops[0], 'cam-gate', 9))).toMatchObject({ status: 'undecided', facesPooled: 1 });
    expect(cloud.links.sent).toEqual([]);
    expect(await handler.handleFaceCrop(cropMessage(crops[1], 'cam-gate', 9))).toMatchObject({ status: 'identified', known: false, identityId: 'unknown-1', decision: 'unknown', facesPooled: 2 });
    const [alert] = cloud.links.alerts();
    expect(cloud.links.alerts()).toHaveLength(1);
    expect(alert.message).toMatch(/decided at track end \(enough faces/);
    expect(alert.evidence).toMatchObject({ decidedAt: 'track-end', endTrigger: 'faces', facesPooled: 2 });
    expect(Object.values(ids)).toContain(alert.evidence!.nearestPersonId);
    // Time-based ends are off here: nothing more happens however long the track stays silent.
    expect(await cloud.app.get(FaceRecognitionService).endIdleTracks(Date.now() + 3_600_000)).toBe(0);
    expect(cloud.links.alerts()).toHaveLength(1);
  });
});
