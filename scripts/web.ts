// npm run web -- --model artifacts/<name>/export [--port 8000] [--no-build]
// Builds the browser demo into web/dist and serves it with the model on http://localhost.
import { webCommand } from '../web/web_cli.ts';

await webCommand().parseAsync(process.argv);
