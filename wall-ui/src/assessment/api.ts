// The assessment page's calls: GET /api/departments/assessment (JSON, or CSV to download).
import type { AssessmentPeriod, AssessmentResponse } from '@hub/config';
import { downloadFile, request } from '../shared/hub-api';

export function assessmentUrl(from: string, to: string, period: AssessmentPeriod, format: 'json' | 'csv' = 'json'): string {
  return `/api/departments/assessment?${new URLSearchParams({ from, to, period, format })}`;
}

export function fetchAssessment(token: string, from: string, to: string, period: AssessmentPeriod): Promise<AssessmentResponse> {
  return request<AssessmentResponse>('GET', assessmentUrl(from, to, period), { token });
}

export function downloadAssessmentCsv(token: string, from: string, to: string, period: AssessmentPeriod): Promise<void> {
  return downloadFile(assessmentUrl(from, to, period, 'csv'), `assessment-${period}.csv`, { token });
}
