//! The `correlate` and `explain` operations.

use crate::contract::{
    check_version, CorrelateRequest, CorrelateResponse, ExplainRequest, ExplainResponse, LogsInput, VERSION,
};
use crate::error::{Error, ErrorCode, Result};
use crate::explain::{parse_answer, prompt, Evidence, LogSource};
use crate::incident::signal::{from_alertmanager, from_anomaly, from_finding};
use crate::llm::{build_request, parse_response, ChatRequest};
use crate::scrub::{self, Scrubber};
use crate::warning::{Warning, WarningCode};

/// Smallest prompt budget accepted, in tokens.
pub const MIN_BUDGET_TOKENS: usize = 256;

/// Groups anomalies, log findings and alerts into incidents, going on from `state`.
pub fn correlate(request: CorrelateRequest) -> Result<CorrelateResponse> {
    check_version(&request.version)?;
    request.options.validate()?;
    let mut signals: Vec<_> =
        request.anomalies.iter().map(|a| from_anomaly(&a.series, &a.labels, &a.anomaly)).collect();
    for log in &request.logs {
        signals.push(from_finding(&log.labels, &log.finding, log.time_ms)?);
    }
    for payload in &request.alerts {
        signals.extend(from_alertmanager(payload)?);
    }
    let mut state = request.state.unwrap_or_default();
    state.add(signals, &request.graph, &request.options);
    Ok(CorrelateResponse { version: VERSION.into(), incidents: state.incidents().to_vec(), state })
}

/// Explains logs or an incident: the rule book, or the LLM request to send, or the LLM's answer
/// read from `llm_response` (the rule book's, with a warning, when that answer is unusable).
pub fn explain(request: ExplainRequest) -> Result<ExplainResponse> {
    check_version(&request.version)?;
    let options = &request.options;
    if options.budget_tokens < MIN_BUDGET_TOKENS {
        return Err(Error::in_field(
            ErrorCode::InvalidOption,
            "options.budget_tokens",
            format!("must be at least {MIN_BUDGET_TOKENS}"),
        ));
    }
    if options.max_output_tokens == 0 || !(0.0..=2.0).contains(&options.temperature) {
        return Err(Error::in_field(
            ErrorCode::InvalidOption,
            "options",
            "max_output_tokens must be positive and temperature between 0 and 2",
        ));
    }
    let logs = match request.logs {
        LogsInput::Text(text) => vec![LogSource { service: None, text }],
        LogsInput::Sources(sources) => sources,
    };
    let evidence = Evidence { logs, incident: request.incident, config: request.config };
    let rule_book = evidence.rule_book();
    let mut response = ExplainResponse {
        version: VERSION.into(),
        explanation: rule_book,
        llm_request: None,
        llm_error: None,
        prompt_tokens: None,
        warnings: Vec::new(),
    };
    let Some(endpoint) = request.llm else {
        return Ok(response);
    };
    let mut scrubber = Scrubber::new(options.scrub.clone());
    let prompt = prompt::build(&evidence, &response.explanation, options.budget_tokens, &mut scrubber);
    response.prompt_tokens = Some(prompt.tokens);
    if prompt.dropped > 0 {
        response.warnings.push(Warning::new(
            WarningCode::PromptTruncated,
            prompt.dropped,
            format!("{} prompt items were left out to fit {} tokens", prompt.dropped, options.budget_tokens),
        ));
    }
    let Some(answer) = request.llm_response else {
        let chat = ChatRequest {
            system: prompt.system,
            user: prompt.user,
            max_output_tokens: options.max_output_tokens,
            temperature: options.temperature,
            json: options.json,
            stream: options.stream,
        };
        response.llm_request = Some(build_request(&endpoint, &chat, None));
        return Ok(response);
    };
    match parse_response(endpoint.provider, options.stream, &answer) {
        Ok(result) => {
            response.explanation = parse_answer(&scrub::restore(&result.text, scrubber.mapping()));
        }
        Err(error) => {
            response.warnings.push(Warning::new(
                WarningCode::LlmFallback,
                1,
                format!("the LLM's answer could not be used ({error}); the offline rule book answered"),
            ));
            response.llm_error = Some(error);
        }
    }
    Ok(response)
}
