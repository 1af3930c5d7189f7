{{/* Egress rules shared by the instances and the migration Job: DNS and the database. */}}
{{- define "lotse.egressDNS" -}}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
  {{- with .Values.networkPolicy.egress.dns.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "lotse.egressDatabase" -}}
- ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.egress.database.port }}
  {{- if .Values.cnpg.enabled }}
  to:
    - podSelector:
        matchLabels:
          cnpg.io/cluster: {{ include "lotse.cnpgCluster" . }}
  {{- else }}
  {{- with .Values.networkPolicy.egress.database.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end -}}
