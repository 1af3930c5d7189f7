package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
)

// routes is the whole HTTP surface of Lotse in one place, each route with its permission.
// A test (routes_test.go) fails on any route without one, on a permission that no policy
// line grants, and on an operation of openapi.yaml without its route here.
func (s *Server) routes(metrics bool) error {
	e := s.e
	s.handle(e, http.MethodGet, "/healthz", s.healthz, public)
	s.handle(e, http.MethodGet, "/readyz", s.readyz, public)
	if metrics {
		s.handle(e, http.MethodGet, "/metrics", s.metrics(), public)
	}

	// Sign-in: public by nature, rate-limited per client address.
	limit := s.loginLimiter()
	s.handle(e, http.MethodGet, "/login", s.loginPage, public, limit)
	s.handle(e, http.MethodGet, "/auth/login/:provider", s.beginLogin, public, limit)
	s.handle(e, http.MethodGet, "/auth/callback", s.callback, public, limit)
	s.handle(e, http.MethodPost, "/auth/logout", s.logout, public) // ends whatever session there is; CSRF-checked
	s.handle(e, http.MethodGet, "/logged-out", s.loggedOut, public)

	s.handle(e, http.MethodGet, "/", s.home, signedIn)
	// CSS, fonts, scripts under content-hashed names (assets.go); the same for everybody.
	s.handle(e, http.MethodGet, "/static/*", s.static, public)

	// The pages of the browser UI. Forms post to the same paths (POST-redirect-GET); htmx
	// only makes them smoother, every form works without JavaScript.

	// -- Caseworkers: tasks, cases, plan, consents, referring (pages_cases.go).
	s.handle(e, http.MethodGet, "/aufgaben", s.myTasks, can("task", "read"))
	s.handle(e, http.MethodPost, "/aufgaben/:id/status", s.taskStatus, can("task", "update"))
	// A task's own pages (pages_tasks.go): the new-task form (from the task list or the case
	// page, ?fall=), the task with its comments and history, editing and commenting.
	s.handle(e, http.MethodGet, "/aufgaben/neu", s.taskNew, can("task", "create"))
	s.handle(e, http.MethodPost, "/aufgaben", s.taskCreate, can("task", "create"))
	s.handle(e, http.MethodGet, "/aufgaben/:id", s.taskPage, can("task", "read"))
	s.handle(e, http.MethodPost, "/aufgaben/:id", s.taskUpdate, can("task", "update"))
	s.handle(e, http.MethodPost, "/aufgaben/:id/kommentare", s.taskComment, can("task", "update")) // commenting is working the task, as in the API
	// The user's own follow-up date of a task or a case (pages_followups.go): whoever may read
	// the record; the service keeps each follow-up its member's own.
	s.handle(e, http.MethodPost, "/aufgaben/:id/wiedervorlage", s.followUpSet(model.ObjectTask), can("task", "read"))
	s.handle(e, http.MethodPost, "/aufgaben/:id/wiedervorlage/entfernen", s.followUpClear(model.ObjectTask), can("task", "read"))
	s.handle(e, http.MethodPost, "/faelle/:id/wiedervorlage", s.followUpSet(model.ObjectCase), can("case", "read"))
	s.handle(e, http.MethodPost, "/faelle/:id/wiedervorlage/entfernen", s.followUpClear(model.ObjectCase), can("case", "read"))
	s.handle(e, http.MethodGet, "/faelle", s.caseList, can("case", "read"))
	// Downloads of the lists (export.go): the list's own read permission, audited as export.
	s.handle(e, http.MethodGet, "/aufgaben.csv", s.taskExport, can("task", "read"))
	s.handle(e, http.MethodGet, "/aufgaben.xlsx", s.taskExport, can("task", "read"))
	s.handle(e, http.MethodGet, "/faelle.csv", s.caseExport, can("case", "read"))
	s.handle(e, http.MethodGet, "/faelle.xlsx", s.caseExport, can("case", "read"))
	s.handle(e, http.MethodGet, "/faelle/neu", s.caseNew, can("case", "create"))
	s.handle(e, http.MethodPost, "/faelle", s.caseCreate, can("case", "create"))
	s.handle(e, http.MethodGet, "/faelle/:id", s.casePage, can("case", "read"))
	s.handle(e, http.MethodPost, "/faelle/:id/status", s.caseStatus, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/plan/:area", s.planUpdate, can("plan", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/vermerke", s.noteCreate, can("note", "create"))
	s.handle(e, http.MethodGet, "/faelle/:id/einwilligungen/neu", s.consentNew, can("consent", "create")) // the service also checks case.update
	s.handle(e, http.MethodPost, "/faelle/:id/einwilligungen", s.consentCreate, can("consent", "create"))
	s.handle(e, http.MethodGet, "/einwilligungen/:id/widerrufen", s.consentRevokeConfirm, can("consent", "revoke"))
	s.handle(e, http.MethodPost, "/einwilligungen/:id/widerrufen", s.consentRevoke, can("consent", "revoke"))
	s.handle(e, http.MethodGet, "/faelle/:id/vermitteln", s.referNew, can("referral", "create"))
	s.handle(e, http.MethodPost, "/faelle/:id/vermitteln", s.referCreate, can("referral", "create"))
	s.handle(e, http.MethodGet, "/faelle/:id/vermitteln/deckung", s.referCover, can("referral", "create"))

	// -- Editing a case after it was opened (pages_case_edit.go): persons of the household,
	// the responsible caseworker, the lead organisation's handover and its answer.
	s.handle(e, http.MethodGet, "/faelle/:id/personen/neu", s.personNew, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/personen/neu", s.personCreate, can("case", "update"))
	s.handle(e, http.MethodGet, "/faelle/:id/personen/:pid", s.personEdit, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/personen/:pid", s.personUpdate, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/personen/:pid/hauptperson", s.personPrimary, can("case", "update"))
	s.handle(e, http.MethodGet, "/faelle/:id/personen/:pid/entfernen", s.personRemoveConfirm, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/personen/:pid/entfernen", s.personRemove, can("case", "update"))
	// Whoever may update the case, and a department head who may reassign cases: the route
	// needs case.read, the service case.update or case.reassign (else 404).
	s.handle(e, http.MethodGet, "/faelle/:id/zustaendigkeit", s.responsiblePage, can("case", "read"))
	s.handle(e, http.MethodPost, "/faelle/:id/zustaendigkeit", s.responsibleUpdate, can("case", "read"))
	s.handle(e, http.MethodGet, "/faelle/:id/federfuehrung", s.leadHandoverPage, can("case", "update"))
	s.handle(e, http.MethodPost, "/faelle/:id/federfuehrung", s.leadHandoverRequest, can("case", "update"))
	s.handle(e, http.MethodGet, "/uebergaben", s.handoversPage, can("handover", "answer"))
	s.handle(e, http.MethodPost, "/uebergaben/:id/annehmen", s.handoverAccept, can("handover", "answer"))
	s.handle(e, http.MethodPost, "/uebergaben/:id/ablehnen", s.handoverDecline, can("handover", "answer"))
	s.handle(e, http.MethodPost, "/uebergaben/:id/zurueckziehen", s.handoverWithdraw, can("case", "update"))

	// -- Partners: incoming referrals and the restricted case view (pages_partner.go).
	// The inbox is for whoever answers referrals; the outgoing list for whoever sends them.
	// A referral's page is for recipient and sender alike (the service decides who sees it);
	// each action asks for its own permission, like the API. The case view is /faelle/:id.
	s.handle(e, http.MethodGet, "/eingang", s.partnerInbox, can("referral", "answer"))
	s.handle(e, http.MethodGet, "/vermittlungen", s.partnerOutbox, can("referral", "create"))
	s.handle(e, http.MethodGet, "/eingang.csv", s.referralExport, can("referral", "answer"))
	s.handle(e, http.MethodGet, "/eingang.xlsx", s.referralExport, can("referral", "answer"))
	s.handle(e, http.MethodGet, "/vermittlungen.csv", s.referralExport, can("referral", "create"))
	s.handle(e, http.MethodGet, "/vermittlungen.xlsx", s.referralExport, can("referral", "create"))
	s.handle(e, http.MethodGet, "/vermittlungen/:id", s.partnerReferral, can("referral", "read"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/annehmen", s.partnerAccept, can("referral", "answer"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/ablehnen", s.partnerDecline, can("referral", "answer"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/beginnen", s.partnerStart, can("referral", "answer"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/abschliessen", s.partnerComplete, can("referral", "answer"))
	s.handle(e, http.MethodGet, "/vermittlungen/:id/zurueckziehen", s.partnerWithdrawConfirm, can("referral", "withdraw"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/zurueckziehen", s.partnerWithdraw, can("referral", "withdraw"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/vermerke", s.partnerNote, can("note", "create"))
	s.handle(e, http.MethodPost, "/vermittlungen/:id/aufgaben", s.partnerTask, can("task", "create"))

	// -- Department heads: the team dashboard and reassigning (pages_lead.go).
	s.handle(e, http.MethodGet, "/team", s.leadTeam, can("task", "reassign"))
	s.handle(e, http.MethodGet, "/team/aufgaben.csv", s.teamExport, can("task", "reassign"))
	s.handle(e, http.MethodGet, "/team/aufgaben.xlsx", s.teamExport, can("task", "reassign"))
	s.handle(e, http.MethodGet, "/team/aufgaben/:id/neu-zuweisen", s.leadReassignPage, can("task", "reassign"))
	s.handle(e, http.MethodPost, "/team/aufgaben/:id/neu-zuweisen", s.leadReassign, can("task", "reassign"))
	s.handle(e, http.MethodGet, "/team/vermittlungen/:id/neu-zuweisen", s.leadReferralReassignPage, can("referral", "reassign"))
	s.handle(e, http.MethodPost, "/team/vermittlungen/:id/neu-zuweisen", s.leadReassignReferral, can("referral", "reassign"))

	// -- Coordination staff, administration, audit log (pages_admin.go).
	// The organisation switch of the frame: any signed-in user, to one of their own
	// organisations (the service refuses others).
	s.handle(e, http.MethodPost, "/organisation", s.switchOrganisation, signedIn)
	// Meine Kontaktdaten: any signed-in member, their own account only (the service takes no
	// account id).
	s.handle(e, http.MethodGet, "/konto", s.accountPage, signedIn)
	s.handle(e, http.MethodPost, "/konto", s.updateAccount, signedIn)
	// The notification centre (pages_notifications.go): every member, their own
	// notifications and settings only (scope self; the service takes no user id).
	s.handle(e, http.MethodGet, "/benachrichtigungen", s.notificationsPage, can("notification", "read"))
	s.handle(e, http.MethodGet, "/benachrichtigungen/anzahl", s.notificationCount, can("notification", "read"))
	s.handle(e, http.MethodPost, "/benachrichtigungen/gelesen", s.notificationsReadAll, can("notification", "update"))
	s.handle(e, http.MethodPost, "/benachrichtigungen/:id/oeffnen", s.notificationOpen, can("notification", "update"))
	s.handle(e, http.MethodGet, "/benachrichtigungen/einstellungen", s.notificationSettingsPage, can("notification", "read"))
	s.handle(e, http.MethodPost, "/benachrichtigungen/einstellungen", s.notificationSettingsSave, can("notification", "update"))
	s.handle(e, http.MethodGet, "/statistik", s.statisticsPage, can("statistics", "read"))
	s.handle(e, http.MethodGet, "/statistik.csv", s.statisticsCSV, can("statistics", "read"))
	// The administration needs member.read (organisation.read alone is what caseworkers have,
	// to choose where to refer); the service narrows to the organisations the scope reaches.
	s.handle(e, http.MethodGet, "/verwaltung", s.administrationPage, can("member", "read"))
	s.handle(e, http.MethodPost, "/verwaltung/organisationen", s.createOrganisation, can("organisation", "create"))
	s.handle(e, http.MethodGet, "/verwaltung/organisationen/:id", s.organisationPage, can("member", "read"))
	s.handle(e, http.MethodPost, "/verwaltung/organisationen/:id", s.updateOrganisation, can("organisation", "update"))
	s.handle(e, http.MethodPost, "/verwaltung/organisationen/:id/mitglieder", s.createMember, can("member", "create")) // the service also checks grant:<role>.manage
	s.handle(e, http.MethodPost, "/verwaltung/organisationen/:id/rollen", s.createGrant, checkedByService("grant:<role>", "manage"))
	s.handle(e, http.MethodPost, "/verwaltung/organisationen/:id/konten", s.addAccount, checkedByService("grant:<role>", "manage"))
	s.handle(e, http.MethodGet, "/verwaltung/rollen/:id/entfernen", s.confirmRemoveGrant, can("member", "read")) // the service shows only grants the user may take away
	s.handle(e, http.MethodPost, "/verwaltung/rollen/:id/entfernen", s.removeGrant, checkedByService("grant:<role>", "manage"))
	s.handle(e, http.MethodGet, "/verwaltung/mitglieder/:id/deaktivieren", s.confirmDeactivate, can("member", "update"))
	s.handle(e, http.MethodPost, "/verwaltung/mitglieder/:id/deaktivieren", s.deactivate, can("member", "update"))
	s.handle(e, http.MethodPost, "/verwaltung/mitglieder/:id/aktivieren", s.reactivate, can("member", "update"))
	s.handle(e, http.MethodGet, "/protokoll", s.auditPage, can("audit", "read"))
	s.handle(e, http.MethodGet, "/protokoll.csv", s.auditCSV, can("audit", "export"))
	// The check of the audit chain (pages_officer.go): lotse audit verify from the browser.
	s.handle(e, http.MethodGet, "/protokoll/kette", s.chainPage, can("audit", "verify"))
	s.handle(e, http.MethodPost, "/protokoll/kette", s.verifyChain, can("audit", "verify"))
	// The data protection officer's start page and the generated documents (pages_officer.go).
	s.handle(e, http.MethodGet, "/datenschutz", s.officerPage, can("privacy", "read"))
	s.handle(e, http.MethodGet, "/datenschutz/berechtigungen", s.documentPage(permissionsDocument), can("policy", "read"))
	s.handle(e, http.MethodGet, "/datenschutz/verarbeitungsverzeichnis", s.documentPage(processingRecordDocument), can("privacy", "read"))
	s.handle(e, http.MethodGet, "/datenschutz/loeschkonzept", s.documentPage(deletionConceptDocument), can("privacy", "read"))
	// Subject access (pages_subjectaccess.go): the officer finds, starts and exports; a
	// department head confirms for the cases their organisation leads.
	s.handle(e, http.MethodGet, "/auskunft", s.subjectAccessPage, can("subject_access", "read"))
	s.handle(e, http.MethodPost, "/auskunft", s.startSubjectAccess, can("subject_access", "create"))
	s.handle(e, http.MethodGet, "/auskunft/bestaetigen", s.subjectAccessConfirmPage, can("subject_access", "confirm"))
	s.handle(e, http.MethodPost, "/auskunft/:id/bestaetigen", s.confirmSubjectAccess, can("subject_access", "confirm"))
	s.handle(e, http.MethodGet, "/auskunft/:id/dokument", s.subjectAccessDocument, can("subject_access", "export"))
	s.handle(e, http.MethodGet, "/auskunft/:id/auskunft.json", s.subjectAccessJSON, can("subject_access", "export"))
	// Deletion on schedule (pages_retention.go): the data protection officer's preview and
	// legal holds; cases are named by their reference only.
	s.handle(e, http.MethodGet, "/loeschfristen", s.retentionPage, can("retention", "read"))
	s.handle(e, http.MethodPost, "/loeschfristen/sperren", s.retentionHold, can("retention", "update"))
	s.handle(e, http.MethodPost, "/loeschfristen/sperren/:id/aufheben", s.retentionRelease, can("retention", "update"))
	// Emergency access (pages_emergency.go): a caseworker opens a case outside their scope
	// with a reason. Every caseworker reaches the page (case read), so that a partner's
	// caseworker learns why it is not theirs; the service asks for emergency_access create
	// (municipal caseworkers only). The officer reviews every access.
	s.handle(e, http.MethodGet, "/notfallzugriff", s.emergencyPage, can("case", "read"))
	s.handle(e, http.MethodPost, "/notfallzugriff", s.emergencyGrant, can("case", "read"))
	s.handle(e, http.MethodGet, "/notfallzugriffe", s.emergencyReview, can("emergency_access", "review"))

	return s.apiRoutes(e.Group(api.BasePath))
}

// apiRoutes is the JSON API under /api/v1. The handlers are the generated wrappers of
// openapi.yaml's operations (renaming an operation breaks the build here); every one runs,
// in this order: sign-in, the permission beside it, validation against the spec, handler.
// Record routes (with :id) answer 404 when the permission is missing, like a hidden record.
func (s *Server) apiRoutes(g *echo.Group) error {
	v, err := api.NewValidator()
	if err != nil {
		return err
	}
	op := api.NewServer(s.svc)
	route := func(method, path string, h echo.HandlerFunc, p perm) {
		if method == http.MethodPost {
			// Every POST honours Idempotency-Key, so a retry after a lost answer is safe.
			s.handle(g, method, path, h, p, v.Middleware, s.idempotent)
			return
		}
		s.handle(g, method, path, h, p, v.Middleware)
	}

	s.handle(g, http.MethodGet, "/openapi.yaml", s.openAPISpec, public)

	route(http.MethodGet, "/me", op.GetMe, signedIn)

	route(http.MethodGet, "/organisations", op.ListOrganisations, can("organisation", "read"))
	route(http.MethodPost, "/organisations", op.CreateOrganisation, can("organisation", "create"))
	route(http.MethodGet, "/organisations/:id", op.GetOrganisation, can("organisation", "read"))
	route(http.MethodPatch, "/organisations/:id", op.UpdateOrganisation, can("organisation", "update"))

	route(http.MethodGet, "/members", op.ListMembers, can("member", "read"))
	route(http.MethodPost, "/members", op.CreateMember, can("member", "create")) // the service also checks grant:<role>.manage
	route(http.MethodGet, "/members/:id", op.GetMember, can("member", "read"))
	route(http.MethodPatch, "/members/:id", op.UpdateMember, can("member", "update"))

	// Which permission a grant needs depends on the role in the body: the service checks it.
	route(http.MethodPost, "/grants", op.CreateGrant, checkedByService("grant:<role>", "manage"))
	route(http.MethodDelete, "/grants/:id", op.DeleteGrant, checkedByService("grant:<role>", "manage"))

	// Case work. The permission beside each route is the one its service method asks the
	// policy for first; the service then narrows to the records that permission's scope
	// reaches (and may ask for more, e.g. recording a consent also needs case.update).
	route(http.MethodGet, "/areas", op.ListAreas, signedIn) // configuration, not case content

	route(http.MethodGet, "/cases", op.ListCases, can("case", "read"))
	route(http.MethodPost, "/cases", op.CreateCase, can("case", "create"))
	route(http.MethodGet, "/cases/:id", op.GetCase, can("case", "read"))
	route(http.MethodGet, "/cases/:id/overview", op.GetCaseOverview, can("case", "read")) // the case page's read model
	route(http.MethodPatch, "/cases/:id", op.UpdateCase, can("case", "update"))
	route(http.MethodPost, "/cases/:id/persons", op.AddPerson, can("case", "update"))
	route(http.MethodPatch, "/cases/:id/persons/:personId", op.UpdatePerson, can("case", "update"))
	route(http.MethodGet, "/cases/:id/plan", op.GetPlan, can("plan", "read"))
	route(http.MethodPatch, "/cases/:id/plan/:area", op.UpdatePlanArea, can("plan", "update"))
	route(http.MethodGet, "/cases/:id/notes", op.ListNotes, can("note", "read"))
	route(http.MethodPost, "/cases/:id/notes", op.CreateNote, can("note", "create"))

	route(http.MethodGet, "/cases/:id/consents", op.ListConsents, can("consent", "read"))
	route(http.MethodGet, "/cases/:id/consents/covering", op.GetConsentCovering, can("consent", "read")) // the referral form's read model
	route(http.MethodPost, "/cases/:id/consents", op.CreateConsent, can("consent", "create"))            // the service also checks case.update
	route(http.MethodGet, "/consents/:id", op.GetConsent, can("consent", "read"))
	route(http.MethodPost, "/consents/:id/revoke", op.RevokeConsent, can("consent", "revoke"))

	route(http.MethodPost, "/cases/:id/referrals", op.CreateReferral, can("referral", "create"))
	route(http.MethodGet, "/referrals", op.ListReferrals, can("referral", "read"))
	route(http.MethodGet, "/referrals/:id", op.GetReferral, can("referral", "read"))
	route(http.MethodPost, "/referrals/:id/accept", op.AcceptReferral, can("referral", "answer"))
	route(http.MethodPost, "/referrals/:id/decline", op.DeclineReferral, can("referral", "answer"))
	route(http.MethodPost, "/referrals/:id/start", op.StartReferral, can("referral", "answer"))
	route(http.MethodPost, "/referrals/:id/complete", op.CompleteReferral, can("referral", "answer"))
	route(http.MethodPost, "/referrals/:id/withdraw", op.WithdrawReferral, can("referral", "withdraw"))

	route(http.MethodGet, "/tasks", op.ListTasks, can("task", "read"))
	route(http.MethodPost, "/tasks", op.CreateTask, can("task", "create"))
	route(http.MethodGet, "/tasks/:id", op.GetTask, can("task", "read"))
	route(http.MethodPatch, "/tasks/:id", op.UpdateTask, can("task", "update"))
	route(http.MethodPost, "/tasks/:id/reassign", op.ReassignTask, can("task", "reassign"))
	route(http.MethodGet, "/tasks/:id/comments", op.ListTaskComments, can("task", "read"))
	route(http.MethodPost, "/tasks/:id/comments", op.CreateTaskComment, can("task", "update")) // commenting is working the task

	// The caller's own notifications and settings (scope self; the service takes no user id).
	route(http.MethodGet, "/notifications", op.ListNotifications, can("notification", "read"))
	route(http.MethodGet, "/notifications/unread-count", op.GetUnreadNotificationCount, can("notification", "read"))
	route(http.MethodPost, "/notifications/:id/read", op.MarkNotificationRead, can("notification", "update"))
	route(http.MethodPost, "/notifications/read-all", op.MarkAllNotificationsRead, can("notification", "update"))
	route(http.MethodGet, "/notification-settings", op.GetNotificationSettings, can("notification", "read"))
	route(http.MethodPut, "/notification-settings", op.UpdateNotificationSettings, can("notification", "update"))
	return nil
}
