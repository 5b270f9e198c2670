import { Controller, Injectable, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SentinelApp, createSentinelApp } from '@sentinel/app';
import { AlertMessage, IdentityMessage, Patterns } from '@sentinel/contracts';
import { loadConfig } from '@sentinel/config';
import { FaceRecognitionModule, GalleryService } from '@sentinel/face-recognition';
import { describeWithSharedData } from '@sentinel/testing';
import { LinkEmitter } from '@sentinel/transport';
import { TEST_KEY_SETS, apiAgent } from '../support/api-key';
import { cropMessage, faceImage, faceJpeg, tempDataDir } from './support';

/** What reached the notification side of the link. */
@Injectable()
class NotificationInbox {
  readonly identities: IdentityMessage[] = [];
  readonly alerts: AlertMessage[] = [];
}

@Controller()
class RecordingNotificationController {
  constructor(private readonly inbox: NotificationInbox) {}

  @MessagePattern(Patterns.Identity)
  onIdentity(@Payload() identity: IdentityMessage): void {
    this.inbox.identities.push(identity);
  }

  @MessagePattern(Patterns.Alert)
  onAlert(@Payload() alert: AlertMessage): void {
    this.inbox.alerts.push(alert);
  }

  @MessagePattern(Patterns.Detections)
  onDetections(): void {}
}

@Module({ providers: [NotificationInbox], controllers: [RecordingNotificationController] })
class RecordingNotificationModule {}

/** Roof and fog are not under test: the test itself plays the fog and sends crops on its link. */
@Module({})
class IdleModule {}

/** The people of test/cloud/face-recognition.e2e-spec.ts (why stuart is left out: there). */
const ENROLLED = ['amy', 'bernadette', 'howard', 'penny', 'raj', 'sheldon'];
const STRANGER = 'leonard';

describeWithSharedData('cloud through the real fog-to-cloud link (inproc): enroll via REST, crops in, identities and intruder alert out', () => {
  jest.setTimeout(180_000);
  const data = tempDataDir('cloud-link-');
  let sentinel: SentinelApp;

  beforeAll(async () => {
    const config = loadConfig({ sets: ['http.port=0', 'http.host=127.0.0.1', `dataDir=${data.dir}`, ...TEST_KEY_SETS] });
    sentinel = await createSentinelApp(config, {
      registry: { 'frame-change': IdleModule, detection: IdleModule, 'face-recognition': FaceRecognitionModule, notification: RecordingNotificationModule },
      logger: ['error'],
    });
  });

  afterAll(async () => {
    await sentinel?.close();
    data.remove();
  });

  it('recognises enrolled people and raises one stable intruder for a stranger', async () => {
    const http = apiAgent(`http://127.0.0.1:${sentinel.port}`);
    const ids: Record<string, string> = {};
    for (const name of ENROLLED) {
      ids[name] = (await http.post('/people').send({ name }).expect(201)).body.id;
      await http
        .post(`/people/${ids[name]}/faces`)
        .attach('images', await faceImage(name, 1), `${name}1.png`)
        .attach('images', await faceImage(name, 2), `${name}2.png`)
        .expect(201);
    }

    const links = sentinel.app.get(LinkEmitter);
    for (const [track, name] of ENROLLED.entries()) {
      const message = cropMessage(await faceJpeg(name, 3), 'cam-gate', track);
      expect(await links.emit(Patterns.FaceCrop, message, { whenFull: 'wait' })).toBe('delivered');
    }
    const strangerCrops = [cropMessage(await faceJpeg(STRANGER, 1), 'cam-gate', 100), cropMessage(await faceJpeg(STRANGER, 2), 'cam-yard', 101)];
    for (const message of strangerCrops) expect(await links.emit(Patterns.FaceCrop, message, { whenFull: 'wait' })).toBe('delivered');
    await sentinel.router.drain();

    const inbox = sentinel.app.get(NotificationInbox);
    expect(inbox.identities.map((i) => [i.cameraId, i.trackId, i.known, i.identityId, i.name])).toEqual([
      ...ENROLLED.map((name, track) => ['cam-gate', track, true, ids[name], name]),
      ['cam-gate', 100, false, 'unknown-1', undefined],
      ['cam-yard', 101, false, 'unknown-1', undefined],
    ]);
    for (const identity of inbox.identities) {
      expect(identity).toBeInstanceOf(IdentityMessage);
      expect(identity.similarity).toBeGreaterThanOrEqual(identity.known ? sentinel.config.cloud.matchThreshold : -1);
    }
    expect(inbox.alerts).toHaveLength(2);
    expect(inbox.alerts.map((a) => [a.kind, a.cameraId, a.trackId, a.subject])).toEqual([
      ['intruder', 'cam-gate', 100, 'unknown-1'],
      ['intruder', 'cam-yard', 101, 'unknown-1'],
    ]);
    expect(Buffer.from(inbox.alerts[0].snapshot!).equals(strangerCrops[0].jpeg as Buffer)).toBe(true);

    const ledger = sentinel.ledger.snapshot();
    expect(ledger.fogToCloud.byPattern['face.crop']['cam-gate'].received.messages).toBe(ENROLLED.length + 1);
    expect(ledger.notification.byPattern.alert['cam-yard'].received.messages).toBe(1);

    const unknowns = (await http.get('/unknowns').expect(200)).body;
    expect(unknowns).toEqual([expect.objectContaining({ id: 'unknown-1', sightings: 2 })]);
    const health = (await http.get('/health')).body as { info: Record<string, { status: string }> };
    // Retention: a month later the stranger is forgotten (database and matcher).
    const galleryService = sentinel.app.get(GalleryService);
    expect(galleryService.applyRetention(Date.now() + 31 * 86_400_000)).toBe(1);
    expect((await http.get('/unknowns').expect(200)).body).toEqual([]);
    expect(galleryService.gallery.unknownVectors).toBe(0);
    expect(health.info['face-recognition']).toMatchObject({ status: 'up', knownVectors: ENROLLED.length * 2, cropsReceived: ENROLLED.length + 2, intruderAlerts: 2 });
  });
});
