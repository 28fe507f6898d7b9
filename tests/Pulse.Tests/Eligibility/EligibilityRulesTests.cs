using System.Text.Json;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Tests.Fakers;

namespace Pulse.Tests.Eligibility;

/// <summary>Every rule of the decision as a pure function: no server, no database, no clock.</summary>
public sealed class EligibilityRulesTests
{
    const long Day = EligibilityRules.Day;
    static readonly long Now = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    static readonly WorkspaceRules Workspace = new("ws_rules", FatigueDays: 7);
    const string UserId = "u-1";

    /// <summary>A default survey (the table's defaults) with an id and creation order.</summary>
    static Survey NewSurvey(string id = "srv_a", int priority = 0, long createdAt = 0) =>
        SurveyDefaults.New(Workspace.WorkspaceId, createdAt) with { Id = id, Name = id, Priority = priority };

    static EndUser Stored(long? signedUpAt = null, long? firstSeenAt = null, long? optedOutAt = null, string? email = null, string traits = "{}") =>
        new(Workspace.WorkspaceId, UserId, email, signedUpAt, firstSeenAt ?? Now - 400 * Day, Now - Day, traits, optedOutAt);

    static UserHistory History(EndUser? stored = null, Dictionary<string, SurveyHistory>? surveys = null, Dictionary<string, int>? today = null) =>
        new(stored ?? Stored(signedUpAt: Now - 365 * Day), surveys ?? [], today ?? []);

    static EligibilityAsk Ask(string? eventName = null, bool force = false, string? email = null, long? signedUpAt = null,
        Dictionary<string, JsonElement>? traits = null) =>
        new(UserId, email, signedUpAt, traits, eventName, force);

    static Dictionary<string, JsonElement> TraitSet(params (string Key, object? Value)[] traits) =>
        traits.ToDictionary(t => t.Key, t => JsonSerializer.SerializeToElement(t.Value));

    static string Reason(Survey survey, UserHistory? history = null, EligibilityAsk? ask = null, long? now = null, WorkspaceRules? workspace = null) =>
        EligibilityRules.Evaluate(survey, workspace ?? Workspace, history ?? History(), ask ?? Ask(), now ?? Now);

    static Dictionary<string, SurveyHistory> Seen(string surveyId, long? shown = null, long? answered = null, long? declined = null, long? ignored = null) =>
        new() { [surveyId] = new SurveyHistory(shown ?? answered ?? declined ?? ignored, answered, declined, ignored) };

    [Test]
    public void Eligibility_DefaultSurveyForAnEstablishedUserWithNoHistory_IsEligible() =>
        Assert.That(Reason(NewSurvey()), Is.EqualTo(Reasons.Eligible));

    [Test]
    public void Eligibility_InactiveSurvey_IsSurveyInactive() =>
        Assert.That(Reason(NewSurvey() with { Active = false }), Is.EqualTo(Reasons.SurveyInactive));

    [Test]
    public void Eligibility_OptedOutUser_IsOptedOut_EvenWhenForced()
    {
        var history = History(Stored(signedUpAt: Now - 365 * Day, optedOutAt: Now - 5 * Day));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(NewSurvey(), history), Is.EqualTo(Reasons.OptedOut));
            Assert.That(Reason(NewSurvey(), history, Ask(force: true)), Is.EqualTo(Reasons.OptedOut));
        }
    }

    // ---- targeting ----

    [TestCase("eq", "\"premium\"", "\"premium\"", true)]
    [TestCase("eq", "\"premium\"", "\"PREMIUM\"", true)]
    [TestCase("eq", "\"premium\"", "\"free\"", false)]
    [TestCase("eq", "5", "\"5\"", true)]
    [TestCase("eq", "true", "true", true)]
    [TestCase("eq", "true", "false", false)]
    [TestCase("eq", "\"premium\"", null, false)]
    [TestCase("neq", "\"free\"", "\"premium\"", true)]
    [TestCase("neq", "\"free\"", "\"free\"", false)]
    [TestCase("neq", "\"free\"", null, true)]
    [TestCase("gte", "10000", "10000", true)]
    [TestCase("gte", "10000", "9999.99", false)]
    [TestCase("gte", "10000", "\"48000\"", true)]
    [TestCase("gte", "10000", "\"lots\"", false)]
    [TestCase("gte", "10000", null, false)]
    [TestCase("lte", "50", "50", true)]
    [TestCase("lte", "50", "50.01", false)]
    [TestCase("lte", "50", "-3", true)]
    public void Targeting_ScalarOps_CompareTheTrait(string op, string value, string? trait, bool expected)
    {
        var condition = new TargetingCondition("t", op, JsonDocument.Parse(value).RootElement.Clone());
        var traits = trait is null ? Traits.Empty : new Dictionary<string, JsonElement> { ["t"] = JsonDocument.Parse(trait).RootElement.Clone() };
        Assert.That(Targeting.Holds(condition, traits), Is.EqualTo(expected));
    }

    [TestCase("in", "\"enterprise\"", true)]
    [TestCase("in", "\"Premium\"", true)]
    [TestCase("in", "\"free\"", false)]
    [TestCase("in", "null", false)]
    [TestCase("in", null, false)]
    [TestCase("nin", "\"free\"", true)]
    [TestCase("nin", "\"premium\"", false)]
    [TestCase("nin", null, true)]
    [TestCase("exists", "\"x\"", true)]
    [TestCase("exists", "0", true)]
    [TestCase("exists", "false", true)]
    [TestCase("exists", "null", false)]
    [TestCase("exists", null, false)]
    public void Targeting_SetAndExistenceOps_CompareTheTrait(string op, string? trait, bool expected)
    {
        var values = op is "in" or "nin" ? new[] { "premium", "enterprise" }.Select(v => JsonSerializer.SerializeToElement(v)).ToList() : null;
        var condition = new TargetingCondition("t", op, null, values);
        var traits = trait is null ? Traits.Empty : new Dictionary<string, JsonElement> { ["t"] = JsonDocument.Parse(trait).RootElement.Clone() };
        Assert.That(Targeting.Holds(condition, traits), Is.EqualTo(expected));
    }

    [Test]
    public void Eligibility_AllConditionsMustHold_ElseNotTargeted()
    {
        var survey = NewSurvey() with
        {
            Targeting =
            [
                new TargetingCondition("plan", "in", null, [JsonSerializer.SerializeToElement("premium"), JsonSerializer.SerializeToElement("enterprise")]),
                new TargetingCondition("arr", "gte", JsonSerializer.SerializeToElement(10000)),
            ],
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, ask: Ask(traits: TraitSet(("plan", "premium"), ("arr", 48000)))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, ask: Ask(traits: TraitSet(("plan", "premium"), ("arr", 9000)))), Is.EqualTo(Reasons.NotTargeted));
            Assert.That(Reason(survey, ask: Ask(traits: TraitSet(("plan", "free"), ("arr", 48000)))), Is.EqualTo(Reasons.NotTargeted));
        }
    }

    [Test]
    public void Eligibility_TraitsOmittedFromTheCall_AreTheStoredOnes()
    {
        var survey = NewSurvey() with { Targeting = [new TargetingCondition("plan", "eq", JsonSerializer.SerializeToElement("premium"))] };
        var history = History(Stored(signedUpAt: Now - 365 * Day, traits: """{"plan":"premium"}"""));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, history), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, history, Ask(traits: TraitSet(("plan", "free")))), Is.EqualTo(Reasons.NotTargeted), "given traits replace the stored set");
        }
    }

    [TestCase("dana@acme.com", Reasons.NotTargeted)]
    [TestCase("Dana@ACME.com", Reasons.NotTargeted)]
    [TestCase("dana@eu.acme.com", Reasons.NotTargeted)]
    [TestCase("dana@notacme.com", Reasons.Eligible)]
    [TestCase("dana@acme.com.evil.test", Reasons.Eligible)]
    [TestCase(null, Reasons.Eligible)]
    public void Eligibility_EmailDomainExclusion_CoversTheDomainAndItsSubdomains(string? email, string expected)
    {
        var survey = NewSurvey() with { ExcludeEmailDomains = ["acme.com"] };
        Assert.That(Reason(survey, ask: Ask(email: email)), Is.EqualTo(expected));
    }

    [Test]
    public void Eligibility_EmailDomainExclusion_UsesTheStoredEmailWhenTheCallHasNone()
    {
        var survey = NewSurvey() with { ExcludeEmailDomains = ["acme.com"] };
        Assert.That(Reason(survey, History(Stored(signedUpAt: Now - 365 * Day, email: "dana@acme.com"))), Is.EqualTo(Reasons.NotTargeted));
    }

    // ---- trigger ----

    [TestCase(null, null, Reasons.Eligible)]
    [TestCase(null, "support_case_closed", Reasons.NoTrigger)]
    [TestCase("support_case_closed", "support_case_closed", Reasons.Eligible)]
    [TestCase("support_case_closed", null, Reasons.NoTrigger)]
    [TestCase("support_case_closed", "invoice_paid", Reasons.NoTrigger)]
    public void Eligibility_Trigger_PageViewSurveysMatchPageViews_EventSurveysTheirEvent(string? trigger, string? eventName, string expected) =>
        Assert.That(Reason(NewSurvey() with { Trigger = trigger }, ask: Ask(eventName)), Is.EqualTo(expected));

    // ---- time rules, each at its exact boundary ----

    [Test]
    public void Eligibility_FirstSurveyDelay_CountsFromCreatedAt_ToTheMillisecond()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, ask: Ask(signedUpAt: Now - 30 * Day)), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, ask: Ask(signedUpAt: Now - 30 * Day + 1)), Is.EqualTo(Reasons.TooNew));
            Assert.That(Reason(survey, ask: Ask(signedUpAt: Now + Day)), Is.EqualTo(Reasons.TooNew), "a sign-up in the future is new");
            Assert.That(Reason(survey with { FirstSurveyDelayDays = 0 }, ask: Ask(signedUpAt: Now)), Is.EqualTo(Reasons.Eligible));
        }
    }

    [Test]
    public void Eligibility_FirstSurveyDelay_WithoutCreatedAt_CountsFromFirstSeen()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(Stored(firstSeenAt: Now - 30 * Day))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(Stored(firstSeenAt: Now - 30 * Day + 1))), Is.EqualTo(Reasons.TooNew));
            Assert.That(Reason(survey, UserHistory.Empty), Is.EqualTo(Reasons.TooNew), "a user never seen is first seen now");
            Assert.That(Reason(survey, History(Stored(signedUpAt: Now - Day, firstSeenAt: Now - 365 * Day))), Is.EqualTo(Reasons.TooNew),
                "a stored createdAt wins over first-seen");
            Assert.That(Reason(survey, History(Stored(signedUpAt: Now - Day)), Ask(signedUpAt: Now - 60 * Day)), Is.EqualTo(Reasons.Eligible),
                "the call's createdAt wins over the stored one");
        }
    }

    [Test]
    public void Eligibility_ResponseExactly90DaysAgo_IsEligible_OneMillisecondLess_IsThrottled()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", answered: Now - 90 * Day))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", answered: Now - 90 * Day + 1))), Is.EqualTo(Reasons.ThrottledResponse));
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", answered: Now - 90 * Day + 1000))), Is.EqualTo(Reasons.ThrottledResponse),
                "one second less");
        }
    }

    [Test]
    public void Eligibility_DeclineCooldown_Is30Days_ToTheMillisecond()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", declined: Now - 30 * Day))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", declined: Now - 30 * Day + 1))), Is.EqualTo(Reasons.ThrottledDecline));
        }
    }

    [Test]
    public void Eligibility_IgnoredDisplay_ReshowsAfterOneDay_ToTheMillisecond()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", ignored: Now - Day))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(surveys: Seen("srv_a", ignored: Now - Day + 1))), Is.EqualTo(Reasons.ThrottledDisplay));
            Assert.That(Reason(survey with { ReshowAfterIgnoredDays = 0 }, History(surveys: Seen("srv_a", ignored: Now))), Is.EqualTo(Reasons.Eligible));
        }
    }

    [Test]
    public void Eligibility_OtherSurveyShownWithinFatigueDays_IsFatigue_ToTheMillisecond()
    {
        var survey = NewSurvey();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(surveys: Seen("srv_other", shown: Now - 7 * Day))), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(surveys: Seen("srv_other", shown: Now - 7 * Day + 1))), Is.EqualTo(Reasons.Fatigue));
            Assert.That(Reason(survey, History(surveys: Seen("srv_other", shown: Now - Day)), workspace: Workspace with { FatigueDays = 0 }),
                Is.EqualTo(Reasons.Eligible), "fatigueDays 0 turns the gap off");
        }
    }

    [Test]
    public void Eligibility_OwnAnsweredDisplay_IsNotFatigueNorIgnored()
    {
        var history = History(surveys: new() { ["srv_a"] = new SurveyHistory(Now - 91 * Day, Now - 91 * Day, null, null) });
        Assert.That(Reason(NewSurvey(), history), Is.EqualTo(Reasons.Eligible));
    }

    [TestCase(0.0, Reasons.SampledOut)]
    [TestCase(100.0, Reasons.Eligible)]
    public void Eligibility_SamplingAtTheExtremes_IsNeverOrAlways(double percent, string expected)
    {
        var survey = NewSurvey() with { SamplePercent = percent };
        var users = new EndUserFaker(11, DateTimeOffset.FromUnixTimeMilliseconds(Now)).Generate(500);
        Assert.That(users.Select(u => EligibilityRules.Evaluate(survey, Workspace, History(), new EligibilityAsk(u.Id!), Now)).Distinct(),
            Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Eligibility_DailyCap_CountsTheSurveysDisplaysToday()
    {
        var survey = NewSurvey() with { DailyCap = 5 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, History(today: new() { ["srv_a"] = 4 })), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey, History(today: new() { ["srv_a"] = 5 })), Is.EqualTo(Reasons.DailyCap));
            Assert.That(Reason(survey with { DailyCap = 0 }, History()), Is.EqualTo(Reasons.DailyCap), "a cap of 0 pauses the survey");
            Assert.That(Reason(survey with { DailyCap = null }, History(today: new() { ["srv_a"] = 1000 })), Is.EqualTo(Reasons.Eligible));
        }
    }

    [Test]
    public void StartOfUtcDay_IsMidnightUtc()
    {
        var midnight = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EligibilityRules.StartOfUtcDay(Now), Is.EqualTo(midnight));
            Assert.That(EligibilityRules.StartOfUtcDay(midnight), Is.EqualTo(midnight));
            Assert.That(EligibilityRules.StartOfUtcDay(midnight - 1), Is.EqualTo(midnight - Day));
        }
    }

    // ---- precedence: the table's order ----

    [Test]
    public void Eligibility_WhenEveryRuleFails_ReasonsComeInTheTablesOrder()
    {
        // Start with a user and survey that fail every rule, then fix one rule at a time: each
        // step must reveal the next reason of the table in docs/eligibility.md.
        var survey = NewSurvey() with
        {
            Active = false,
            Targeting = [new TargetingCondition("plan", "eq", JsonSerializer.SerializeToElement("premium"))],
            Trigger = "support_case_closed",
            SamplePercent = 0,
            DailyCap = 1,
        };
        var recently = Now - 1000;
        var stored = Stored(signedUpAt: recently, optedOutAt: recently, traits: """{"plan":"free"}""");
        var history = new Dictionary<string, SurveyHistory>
        {
            ["srv_a"] = new(recently, recently, recently, recently),
            ["srv_other"] = new(recently, null, null, recently),
        };
        var today = new Dictionary<string, int> { ["srv_a"] = 1 };
        string Step() => Reason(survey, new UserHistory(stored, history, today));

        var seen = new List<string> { Step() };
        survey = survey with { Active = true };
        seen.Add(Step());
        stored = stored with { OptedOutAt = null };
        seen.Add(Step());
        stored = stored with { Traits = """{"plan":"premium"}""" };
        seen.Add(Step());
        survey = survey with { Trigger = null };
        seen.Add(Step());
        stored = stored with { SignedUpAt = Now - 365 * Day };
        seen.Add(Step());
        history["srv_a"] = history["srv_a"] with { LastAnsweredAt = null };
        seen.Add(Step());
        history["srv_a"] = history["srv_a"] with { LastDeclinedAt = null };
        seen.Add(Step());
        history["srv_a"] = history["srv_a"] with { LastIgnoredAt = null, LastShownAt = null };
        seen.Add(Step());
        history.Remove("srv_other");
        seen.Add(Step());
        survey = survey with { SamplePercent = 100 };
        seen.Add(Step());
        today.Clear();
        seen.Add(Step());

        Assert.That(seen, Is.EqualTo(Reasons.All.Skip(1).Append(Reasons.Eligible)));
    }

    [Test]
    public void Eligibility_Force_SkipsTimeSamplingAndCapRules_ButNotTargetingOrTrigger()
    {
        var survey = NewSurvey() with { SamplePercent = 0, DailyCap = 0 };
        var history = History(Stored(signedUpAt: Now), new()
        {
            ["srv_a"] = new(Now, Now, Now, Now),
            ["srv_other"] = new(Now, null, null, Now),
        });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Reason(survey, history), Is.EqualTo(Reasons.TooNew));
            Assert.That(Reason(survey, history, Ask(force: true)), Is.EqualTo(Reasons.Eligible));
            Assert.That(Reason(survey with { Trigger = "x" }, history, Ask(force: true)), Is.EqualTo(Reasons.NoTrigger));
            Assert.That(Reason(survey with { Targeting = [new TargetingCondition("plan", "exists")] }, history, Ask(force: true)),
                Is.EqualTo(Reasons.NotTargeted));
            Assert.That(Reason(survey with { Active = false }, history, Ask(force: true)), Is.EqualTo(Reasons.SurveyInactive));
        }
    }

    // ---- several surveys ----

    [Test]
    public void Decide_TwoEligibleSurveys_HigherPriorityWins_TiesGoToTheOlder()
    {
        var low = NewSurvey("srv_low", priority: 0);
        var high = NewSurvey("srv_high", priority: 5);
        var older = NewSurvey("srv_older", priority: 5, createdAt: -1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EligibilityRules.Decide([low, high], Workspace, History(), Ask(), Now).Survey?.Id, Is.EqualTo("srv_high"));
            Assert.That(EligibilityRules.Decide([low, high, older], Workspace, History(), Ask(), Now).Survey?.Id, Is.EqualTo("srv_older"));
        }
    }

    [Test]
    public void Decide_HigherPrioritySurveyThrottled_FallsThroughToTheNext()
    {
        var high = NewSurvey("srv_high", priority: 5);
        var low = NewSurvey("srv_low", priority: 0);
        var history = History(surveys: Seen("srv_high", answered: Now - 8 * Day));
        var decision = EligibilityRules.Decide([high, low], Workspace, history, Ask(), Now);
        Assert.That(decision.Survey?.Id, Is.EqualTo("srv_low"));
    }

    [Test]
    public void Decide_NoneEligible_ReportsTheHighestPriorityActiveSurveyMatchingTheTrigger()
    {
        var inactive = NewSurvey("srv_inactive", priority: 9) with { Active = false };
        var eventSurvey = NewSurvey("srv_event", priority: 8) with { Trigger = "support_case_closed" };
        var relationship = NewSurvey("srv_rel", priority: 1);
        var history = History(surveys: Seen("srv_rel", answered: Now - Day));

        var decision = EligibilityRules.Decide([inactive, eventSurvey, relationship], Workspace, history, Ask(), Now);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(decision.Eligible, Is.False);
            Assert.That(decision.Reason, Is.EqualTo(Reasons.ThrottledResponse));
        }
    }

    [Test]
    public void Decide_NoSurveyMatchesTheEvent_IsNoTrigger_OnlyInactiveOnesOrNone_IsSurveyInactive()
    {
        var relationship = NewSurvey("srv_rel");
        var inactiveEvent = NewSurvey("srv_event") with { Trigger = "support_case_closed", Active = false };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EligibilityRules.Decide([relationship], Workspace, History(), Ask("support_case_closed"), Now).Reason, Is.EqualTo(Reasons.NoTrigger));
            Assert.That(EligibilityRules.Decide([relationship, inactiveEvent], Workspace, History(), Ask("support_case_closed"), Now).Reason,
                Is.EqualTo(Reasons.SurveyInactive));
            Assert.That(EligibilityRules.Decide([], Workspace, History(), Ask(), Now).Reason, Is.EqualTo(Reasons.SurveyInactive));
            Assert.That(EligibilityRules.Decide([relationship with { Active = false }], Workspace, History(), Ask("other"), Now).Reason,
                Is.EqualTo(Reasons.SurveyInactive));
        }
    }

    // ---- sampling ----

    [Test]
    public void Sampling_TenPercent_Selects10PercentPlusMinus1_Of100000Users()
    {
        var selected = 0;
        for (var i = 0; i < 100_000; i++)
            if (Sampling.Selected(10, Sampling.Bucket("ws_x", "srv_x", "user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 7)))
                selected++;
        Assert.That(selected, Is.InRange(9_000, 11_000));
    }

    [Test]
    public void Sampling_IsStickyWithinACycle_AndRedrawnInTheNext()
    {
        var survey = NewSurvey() with { SamplePercent = 50 };
        var users = new EndUserFaker(7, DateTimeOffset.FromUnixTimeMilliseconds(Now)).Generate(400).Select(u => u.Id!).ToList();
        var cycleStart = Sampling.Cycle(90, Now) * 90 * Day;
        string[] Answers(long at) => users.Select(u => EligibilityRules.Evaluate(survey, Workspace, History(), new EligibilityAsk(u), at)).ToArray();

        var first = Answers(cycleStart);
        var laterSameCycle = Answers(cycleStart + 90 * Day - 1);
        var nextCycle = Answers(cycleStart + 90 * Day);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(laterSameCycle, Is.EqualTo(first), "same user, same cycle: same answer");
            Assert.That(nextCycle, Is.Not.EqualTo(first), "a new cycle draws again");
            Assert.That(first.Count(r => r == Reasons.Eligible), Is.InRange(150, 250));
        }
    }

    [Test]
    public void Sampling_Cycle_IsOneResurveyPeriod_FromTheEpoch()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sampling.Cycle(90, 90 * Day - 1), Is.Zero);
            Assert.That(Sampling.Cycle(90, 90 * Day), Is.EqualTo(1));
            Assert.That(Sampling.Cycle(0, 3 * Day), Is.EqualTo(3), "resurveyDays 0 cycles daily");
            Assert.That(Sampling.Cycle(90, -1), Is.EqualTo(-1));
        }
    }

    [Test]
    public void Sampling_Bucket_DependsOnEveryInput_AndStaysIn0To100()
    {
        var b = Sampling.Bucket("ws", "srv", "u", 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sampling.Bucket("ws", "srv", "u", 1), Is.EqualTo(b));
            Assert.That(new[] { Sampling.Bucket("ws2", "srv", "u", 1), Sampling.Bucket("ws", "srv2", "u", 1),
                Sampling.Bucket("ws", "srv", "u2", 1), Sampling.Bucket("ws", "srv", "u", 2) }, Has.None.EqualTo(b));
            Assert.That(Enumerable.Range(0, 10_000).Select(i => Sampling.Bucket("w", "s", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0)),
                Has.All.InRange(0.0, 99.99999999));
        }
    }
}
