// The REST API: storage bootstrap at start-up, then one HTTP function per route of shared/api's route table.
import './startup';
import './register';
import './studio';
