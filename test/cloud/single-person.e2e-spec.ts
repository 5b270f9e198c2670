import { FaceCropController } from '@sentinel/face-recognition';
import { HealthRegistry } from '@sentinel/telemetry';
import { describeWithSharedData } from '@sentinel/testing';
import request from 'supertest';
import { CloudTestApp, createCloudTestApp, cropMessage, faceImage, faceJpeg, faceZoomJpeg, tempDataDir } from './support';

/**
 * ONE enrolled person (default `centering: gallery`): no mean face can be taken from one person, so the
 * gallery compares raw cosines, and the raw thresholds (`rawMatchThreshold`/`rawUnknownThreshold`) must
 * apply. With the centered ones (0.29) every stranger (raw ~0.35-0.45) was named as that person.
 * Bernadette: her image 3 scores 0.82 raw against her 1 and 2 (Penny's only 0.57: undecided in raw space).
 */
const ENROLLED = 'bernadette';
const OTHERS = ['leonard', 'penny', 'howard'];
const ZOOMS = [1, 0.92, 0.85];

describeWithSharedData('cloud face recognition with one enrolled person: raw cosines, raw thresholds', () => {
  jest.setTimeout(180_000);
  const data = tempDataDir();
  let cloud: CloudTestApp;
  let enrolledId: string;
  const http = () => request(cloud.app.getHttpServer());
  const health = async () => (await cloud.app.get(HealthRegistry).check('face-recognition')) as Record<string, unknown>;

  beforeAll(async () => {
    cloud = await createCloudTestApp(data.dir);
    enrolledId = (await http().post('/people').send({ name: ENROLLED }).expect(201)).body.id;
    await http().post(`/people/${enrolledId}/faces`).attach('images', await faceImage(ENROLLED, 1), 'e1.png').attach('images', await faceImage(ENROLLED, 2), 'e2.png').expect(201);
  });

  afterAll(async () => {
    await cloud?.close();
    data.remove();
  });

  it('health shows the raw space and its thresholds', async () => {
    const { rawMatchThreshold, rawUnknownThreshold } = cloud.config.cloud;
    expect(await health()).toMatchObject({ status: 'up', similaritySpace: 'raw', thresholds: { upper: rawMatchThreshold, lower: rawUnknownThreshold } });
  });

  it('does not name tracks of other people as the enrolled person (unknown or undecided); names the enrolled person', async () => {
    const handler = cloud.app.get(FaceCropController);
    for (const [track, name] of OTHERS.entries()) {
      for (const n of [1, 2, 3]) {
        const outcome = await handler.handleFaceCrop(cropMessage(await faceJpeg(name, n), 'cam-door', 100 + track));
        expect(outcome).toMatchObject({ status: expect.stringMatching(/^(identified|undecided)$/) });
        expect(outcome).not.toMatchObject({ known: true });
        // The similarities are raw cosines: above the centered match threshold, which must not apply here.
        if ('similarity' in outcome) expect(outcome.similarity).toBeLessThan(cloud.config.cloud.rawMatchThreshold);
      }
    }
    expect(cloud.links.identities().filter((i) => i.known)).toEqual([]);
    const strangerSimilarities = cloud.links.identities().map((i) => i.similarity);
    expect(Math.max(...strangerSimilarities)).toBeGreaterThan(cloud.config.cloud.matchThreshold); // what went wrong before

    cloud.links.clear();
    const outcomes = [];
    for (const zoom of ZOOMS) outcomes.push(await handler.handleFaceCrop(cropMessage(await faceZoomJpeg(ENROLLED, 3, zoom), 'cam-door', 7)));
    expect(outcomes.at(-1)).toMatchObject({ status: 'identified', known: true, identityId: enrolledId, decision: 'named' });
    expect(cloud.links.alerts()).toEqual([]);
  });

  it('POST /recognize uses the raw thresholds too', async () => {
    const stranger = await http().post('/recognize').attach('image', await faceImage('leonard', 1), 'q.png').expect(200);
    expect(stranger.body.faces[0]).toMatchObject({ known: false });
    const own = await http().post('/recognize').attach('image', await faceImage(ENROLLED, 3), 'q.png').expect(200);
    expect(own.body.faces[0]).toMatchObject({ known: true, personId: enrolledId });
  });

  it('a second enrolled person gives a mean face: the centered thresholds apply from then on', async () => {
    const amy = (await http().post('/people').send({ name: 'amy' }).expect(201)).body.id;
    await http().post(`/people/${amy}/faces`).attach('images', await faceImage('amy', 1), 'a1.png').expect(201);
    const { matchThreshold, unknownThreshold } = cloud.config.cloud;
    expect(await health()).toMatchObject({ similaritySpace: 'centered', thresholds: { upper: matchThreshold, lower: unknownThreshold } });
    const stranger = await http().post('/recognize').attach('image', await faceImage('leonard', 2), 'q.png').expect(200);
    expect(stranger.body.faces[0]).toMatchObject({ known: false });
  });
});
