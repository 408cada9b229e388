import type { Command } from './command.js';
import { collectCommand } from './collect.js';
import { statusCommand } from './status.js';
import { watchCommand } from './watch.js';
import { validateCommand } from './validate.js';
import { schemaCommand } from './schema.js';
import { secretsInitCommand } from './secrets-init.js';
import { applyGatewayCommand } from './apply-gateway.js';
import { checkGatewayCommand } from './check-gateway.js';
import { secretsImportCommand } from './secrets-import.js';
import { renderCommand } from './render.js';
import { importTalhelperCommand } from './import-talhelper.js';
import { writeCommand } from './write.js';
import { runbookCommand } from './runbook.js';
import { nextCommand } from './next.js';
import { makeUsbCommand } from './make-usb.js';
import { mediaShowCommand } from './media-show.js';
import { mediaVerifyCommand } from './media-verify.js';
import { imagesSyncCommand, imagesImportCommand, imagesVerifyCommand, imagesListCommand, imagesPruneCommand } from './images-commands.js';

/** Every command of the CLI, in the order `builder --help` lists them. */
export const COMMANDS: Command[] = [
  validateCommand,
  schemaCommand,
  secretsInitCommand,
  secretsImportCommand,
  renderCommand,
  importTalhelperCommand,
  imagesSyncCommand,
  imagesImportCommand,
  imagesVerifyCommand,
  imagesListCommand,
  imagesPruneCommand,
  makeUsbCommand,
  mediaShowCommand,
  mediaVerifyCommand,
  writeCommand,
  runbookCommand,
  nextCommand,
  collectCommand,
  statusCommand,
  watchCommand,
  applyGatewayCommand,
  checkGatewayCommand,
];
