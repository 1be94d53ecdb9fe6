import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RecordsModule } from '../records/records.module';
import { IndexBuilder } from './index-builder';

@Module({ imports: [CollectionsModule, RecordsModule], providers: [IndexBuilder], exports: [IndexBuilder] })
export class IndexingModule {}
