import { Injectable } from '@nestjs/common';

/** Flipped when shutdown begins, so /health turns red and load balancers stop sending traffic. */
@Injectable()
export class ShutdownState {
  draining = false;
}
