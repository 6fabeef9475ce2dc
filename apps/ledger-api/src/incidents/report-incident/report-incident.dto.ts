import { IncidentReportDto } from '../shared/incident-report.dto';

export class ReportIncidentDto extends IncidentReportDto {}
