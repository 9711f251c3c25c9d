import { Controller } from '@nestjs/common';

/** Segment-compatible routes (being written). */
@Controller('v1')
export class SegmentController {}
