import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';

@Module({ imports: [CollectionsModule], providers: [RecordsRepository, RecordsService], exports: [RecordsService] })
export class RecordsModule {}
