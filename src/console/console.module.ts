import { Module } from '@nestjs/common';
import { AuthModule } from '../core/auth/auth.module';
import { InspectModule } from '../core/inspect/inspect.module';
import { RecordsModule } from '../core/records/records.module';
import { ConsoleService } from './console.service';
import { ConsoleController } from './controllers/console.controller';
import { OperateController } from './controllers/operate.controller';

/** The web console's JSON API under /console/api (its page is static files: app.factory serves them). */
@Module({
  imports: [AuthModule, InspectModule, RecordsModule],
  controllers: [ConsoleController, OperateController],
  providers: [ConsoleService],
})
export class ConsoleModule {}
