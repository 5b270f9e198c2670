import { Controller, Get, Logger, OnModuleDestroy, Param, Query, Req, Res, ServiceUnavailableException, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiServiceUnavailableResponse, ApiTags, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { FogService } from '../fog.service';
import { LatestFrame } from '../pipeline/fog-pipeline';
import { renderLatest } from './annotate';
import { CameraParams } from './cameras.controller';
import { MJPEG_CONTENT_TYPE, MjpegStream, StreamSlots } from './mjpeg-stream';

/** Live streams open at once per process: each one encodes its own JPEGs. */
export const MAX_MJPEG_STREAMS = 8;
export const MAX_MJPEG_FPS = 10;
export const DEFAULT_MJPEG_FPS = 5;

export class StreamQuery {
  @ApiPropertyOptional({ description: 'Frames per second at most', default: DEFAULT_MJPEG_FPS, minimum: 1, maximum: MAX_MJPEG_FPS })
  @IsOptional() @Max(MAX_MJPEG_FPS) @Min(1) @IsInt() @Type(() => Number)
  fps?: number;
}

@ApiTags('fog')
@Controller('cameras')
export class CameraStreamController implements OnModuleDestroy {
  private readonly logger = new Logger('CameraStream');
  private readonly slots = new StreamSlots(MAX_MJPEG_STREAMS);
  private readonly open = new Set<MjpegStream<LatestFrame>>();

  constructor(private readonly fog: FogService) {}

  @Get(':id/stream.mjpeg')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  @ApiOperation({
    summary: 'Live annotated view of a camera (MJPEG)',
    description:
      'multipart/x-mixed-replace stream of the annotated view that latest.jpg shows: a part each time the fog processed a new frame of the camera, at most `fps` per second. ' +
      `Waits for the camera's first frame. At most ${MAX_MJPEG_STREAMS} streams at once per process; a slow client gets the newest frame when it catches up, never a backlog.`,
  })
  @ApiParam({ name: 'id', description: 'Camera id', example: 'gate-1' })
  @ApiProduces(MJPEG_CONTENT_TYPE)
  @ApiOkResponse({ description: 'MJPEG stream (until the client disconnects)' })
  @ApiBadRequestResponse({ description: 'Malformed camera id or fps' })
  @ApiServiceUnavailableResponse({ description: 'Too many live streams open' })
  stream(@Param() params: CameraParams, @Query() query: StreamQuery, @Req() request: Request, @Res() response: Response): void {
    if (!this.slots.tryAcquire()) throw new ServiceUnavailableException(`at most ${MAX_MJPEG_STREAMS} live streams at once; close one and retry`);
    response.status(200);
    response.setHeader('Content-Type', MJPEG_CONTENT_TYPE);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Connection', 'close');
    response.flushHeaders();
    const stream = new MjpegStream<LatestFrame>({
      latest: () => this.fog.latest(params.id),
      render: (frame) => renderLatest(frame),
      sink: response,
      intervalMs: Math.round(1000 / (query.fps ?? DEFAULT_MJPEG_FPS)),
      onRenderError: (error) => this.logger.warn(`camera ${params.id}: a frame of the live view failed to render: ${String(error)}`),
    });
    this.open.add(stream);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      stream.stop();
      this.open.delete(stream);
      this.slots.release();
    };
    request.on('close', close);
    response.on('close', close);
    stream.start();
  }

  /** Open streams never end on their own: end them so that the HTTP server can close. */
  onModuleDestroy(): void {
    for (const stream of this.open) stream.end();
  }

  get activeStreams(): number {
    return this.slots.active;
  }
}
