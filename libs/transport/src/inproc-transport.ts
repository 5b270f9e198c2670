import { ClientProxy, CustomTransportStrategy, ReadPacket, Server, WritePacket } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import { decodePacket, encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';

type Reply = (body: Buffer) => void;

/**
 * Connects in-process clients to in-process servers of the same application. Messages still go
 * through MessagePack, so they are isolated copies and their bytes are counted exactly as on a wire.
 */
export class InprocBus {
  private readonly servers = new Map<string, InprocServer>();
  private readonly waiting = new Map<string, Array<(server: InprocServer) => void>>();

  register(link: string, server: InprocServer): void {
    this.servers.set(link, server);
    for (const resolve of this.waiting.get(link) ?? []) resolve(server);
    this.waiting.delete(link);
  }

  unregister(link: string, server: InprocServer): void {
    if (this.servers.get(link) === server) this.servers.delete(link);
  }

  /** The link's server; waits for it while the application is still starting. */
  serverOf(link: string): Promise<InprocServer> {
    const server = this.servers.get(link);
    if (server) return Promise.resolve(server);
    return new Promise((resolve) => {
      const list = this.waiting.get(link) ?? [];
      list.push(resolve);
      this.waiting.set(link, list);
    });
  }

  isListening(link: string): boolean {
    return this.servers.has(link);
  }
}

export interface InprocLinkOptions {
  bus: InprocBus;
  link: string;
  ledger: LinkLedger;
}

export class InprocServer extends Server implements CustomTransportStrategy {
  constructor(private readonly options: InprocLinkOptions) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  listen(callback: () => void): void {
    this.options.bus.register(this.options.link, this);
    callback();
  }

  close(): void {
    this.options.bus.unregister(this.options.link, this);
  }

  on(): void {
    throw new Error('the in-process transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }

  /** Handles one encoded packet; `reply` gets the encoded reply packets of a request. */
  async deliver(body: Buffer, reply?: Reply): Promise<void> {
    const { ledger, link } = this.options;
    const packet = decodePacket(body) as ReadPacket & { id?: string };
    const { pattern, cameraId } = packetLabels(packet);
    ledger.record(link, 'received', pattern, cameraId, body.length);
    const context = new BaseRpcContext([pattern]);
    if (!reply || packet.id === undefined) {
      await this.handleEvent(pattern, packet, context);
      return;
    }
    const respond = (response: WritePacket): void => {
      const encoded = encodePacket({ ...response, id: packet.id });
      ledger.record(link, 'sent', 'ack', undefined, encoded.length);
      reply(encoded);
    };
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) {
      respond({ err: NO_MESSAGE_HANDLER, isDisposed: true });
      return;
    }
    try {
      this.send(this.transformToObservable(await handler(packet.data, context)), respond);
    } catch (err) {
      respond({ err: err instanceof Error ? err.message : err, isDisposed: true });
    }
  }
}

export class InprocClient extends ClientProxy {
  constructor(private readonly options: InprocLinkOptions) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  async connect(): Promise<void> {
    await this.options.bus.serverOf(this.options.link);
  }

  close(): void {}

  unwrap<T>(): T {
    return this.options.bus as T;
  }

  protected publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const packet = this.assignPacketId(partialPacket);
    const body = this.encode(packet);
    let active = true;
    void this.options.bus.serverOf(this.options.link).then((server) =>
      server.deliver(body, (replyBody) => {
        this.options.ledger.record(this.options.link, 'received', 'ack', undefined, replyBody.length);
        if (active) callback(decodePacket(replyBody) as WritePacket);
      }),
    ).catch((err: unknown) => active && callback({ err, isDisposed: true }));
    return () => {
      active = false;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const server = await this.options.bus.serverOf(this.options.link);
    await server.deliver(this.encode(packet));
    return undefined as T;
  }

  private encode(packet: ReadPacket): Buffer {
    const body = encodePacket(this.serializer.serialize(packet));
    const { pattern, cameraId } = packetLabels(packet);
    this.options.ledger.record(this.options.link, 'sent', pattern, cameraId, body.length);
    return body;
  }
}
