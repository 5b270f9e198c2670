import { BadRequestException, Controller, Get, Query, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GalleryService } from '../gallery.service';
import { ErrorDto } from './dto';
import { VALIDATION } from './people.controller';
import { ListSightingsQuery, SightingsPageDto } from './sightings.dto';

@ApiTags('face-recognition')
@Controller('sightings')
@UsePipes(VALIDATION)
export class SightingsController {
  constructor(private readonly galleryService: GalleryService) {}

  @Get()
  @ApiOperation({ summary: 'Every identity decision (named, unknown, undecided), newest capture first; filter by camera, person, decision, time' })
  @ApiResponse({ status: 200, type: SightingsPageDto })
  @ApiResponse({ status: 400, description: 'invalid filter', type: ErrorDto })
  list(@Query() query: ListSightingsQuery): SightingsPageDto {
    if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
      throw new BadRequestException('since must not be after until');
    }
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const { items, total } = this.galleryService.sightings.list({
      cameraId: query.cameraId,
      identityId: query.personId,
      decision: query.decision,
      since: query.since,
      until: query.until,
      limit,
      offset,
    });
    return { items, total, limit, offset, nextOffset: offset + items.length < total ? offset + items.length : null };
  }
}
