export { importTalhelper, ImportProblem, type TalhelperImport } from './talhelper.js';
