package app

import (
	"log/slog"
	"slices"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/mail"
	"github.com/lotse-project/lotse/internal/service"
)

// mailJobs adds the e-mail jobs to the job configuration: with LOTSE_SMTP_HOST an SMTP
// sender, without it none (the jobs complete and mark nothing; the bell still shows all).
func mailJobs(cfg *config.Config, svc *service.Services, o Options, log *slog.Logger) (jobs.Config, error) {
	var sender mail.Sender
	if cfg.SMTPHost != "" {
		s, err := mail.NewSMTP(mail.Settings{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
			From: cfg.SMTPFrom, TLS: cfg.SMTPTLS, TLSConfig: o.MailTLS,
		})
		if err != nil {
			return o.Jobs, err
		}
		sender = s
	}
	hour, minute, err := cfg.DigestClock()
	if err != nil {
		return o.Jobs, err
	}
	jc := o.Jobs
	jc.Register = append(slices.Clone(jc.Register), jobs.RegisterMail(jobs.MailConfig{
		Mail:       service.NewMail(svc, sender, cfg.BaseURL),
		DigestHour: hour, DigestMinute: minute, Today: svc.Today,
	}, log))
	return jc, nil
}
