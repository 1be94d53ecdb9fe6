import { Controller, Get, Logger, Module, Query } from '@nestjs/common';
import { Database } from '../../../../src/database/database';

/** Test-only: a request that takes its time, then needs the database, as a real one would. */
@Controller('__test')
class SlowController {
  constructor(private readonly db: Database) {}

  @Get('slow')
  async slow(@Query('ms') ms: string) {
    // A test waits for this line before it signals the process: the request is in the handler.
    Logger.log('slow request started', 'Slow');
    await new Promise((resolve) => setTimeout(resolve, Number(ms) || 1_000));
    const { rows } = await this.db.query<{ one: number }>('SELECT 1 AS one');
    return { slept: Number(ms) || 1_000, one: rows[0].one };
  }
}

@Module({ controllers: [SlowController] })
export class SlowModule {}
