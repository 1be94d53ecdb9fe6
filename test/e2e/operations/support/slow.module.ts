import { Controller, Get, Module, Query } from '@nestjs/common';
import { Database } from '../../../../src/database/database';

/** Test-only: a request that takes its time, then needs the database, as a real one would. */
@Controller('__test')
class SlowController {
  constructor(private readonly db: Database) {}

  @Get('slow')
  async slow(@Query('ms') ms: string) {
    await new Promise((resolve) => setTimeout(resolve, Number(ms) || 1_000));
    const { rows } = await this.db.query<{ one: number }>('SELECT 1 AS one');
    return { slept: Number(ms) || 1_000, one: rows[0].one };
  }
}

@Module({ controllers: [SlowController] })
export class SlowModule {}
