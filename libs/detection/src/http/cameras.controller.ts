import { Controller, Get, Header, NotFoundException, Param, StreamableFile, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags, ApiBadRequestResponse } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { CAMERA_ID_PATTERN } from '@sentinel/contracts';
import { FogService } from '../fog.service';
import { renderLatest } from './annotate';

export class CameraParams {
  @Matches(CAMERA_ID_PATTERN, { message: 'id must be 1-64 characters of A-Z a-z 0-9 _ . -' })
  @IsString()
  id!: string;
}

@ApiTags('fog')
@Controller('cameras')
export class CamerasController {
  constructor(private readonly fog: FogService) {}

  @Get(':id/latest.jpg')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
  @Header('Content-Type', 'image/jpeg')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Latest frame of a camera, annotated',
    description: 'The latest frame the fog processed for this camera with boxes, labels, scores and track ids drawn. In regions mode the latest regions are drawn over the last whole frame.',
  })
  @ApiParam({ name: 'id', description: 'Camera id', example: 'gate-1' })
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'JPEG image', schema: { type: 'string', format: 'binary' } })
  @ApiBadRequestResponse({ description: 'Malformed camera id' })
  @ApiNotFoundResponse({ description: 'No frame of this camera has been processed' })
  async latest(@Param() params: CameraParams): Promise<StreamableFile> {
    const latest = this.fog.latest(params.id);
    if (!latest) throw new NotFoundException(`no frame of camera ${params.id} has been processed`);
    return new StreamableFile(await renderLatest(latest));
  }
}
