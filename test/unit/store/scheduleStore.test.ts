import { MemoryScheduleRepository } from '../../../shared/store/memory/schedules';
import { scheduleStoreContract } from './scheduleStoreContract';

scheduleStoreContract('memory', async () => new MemoryScheduleRepository());
