//! Conversions between JS values and the engine's types: options in, answers and errors out.

use corridor_core::contract::{Points, VERSION};
use corridor_core::detect::Anomaly;
use corridor_core::error::{Error, ErrorCode};
use corridor_core::seasonality::Seasonality;
use corridor_core::warning::Warning;
use js_sys::{Float64Array, Object, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

/// The fields of a `detect` or `baseline` answer besides its per-point columns.
#[derive(Serialize)]
pub struct Summary<'a> {
    /// The contract version.
    pub version: &'a str,
    /// Inferred step, ms.
    pub step_ms: i64,
    /// Periods assessed.
    pub seasonality: &'a Seasonality,
    /// The period the corridor follows, if any.
    pub period_ms: Option<i64>,
    /// Anomaly intervals (`detect` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anomalies: Option<&'a [Anomaly]>,
    /// Every repair and limit.
    pub warnings: &'a [Warning],
}

/// A JS `Error` carrying the contract error's `code`, `message` and `field`.
pub fn engine_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("CorridorError");
    let mut fields = vec![("code", JsValue::from(error.code.as_str()))];
    if let Some(field) = &error.field {
        fields.push(("field", JsValue::from(field.as_str())));
    }
    set_all(&js, fields);
    js.into()
}

/// A JS value as JSON; `undefined` and `null` become `null`.
pub fn from_js(value: &JsValue, field: &str) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let unreadable = |detail: String| {
        engine_error(Error::in_field(
            ErrorCode::MalformedRequest,
            field,
            format!("{field} is not plain data: {detail}"),
        ))
    };
    let text = JSON::stringify(value).map_err(|e| {
        unreadable(e.dyn_ref::<js_sys::Error>().map_or_else(|| "JSON.stringify failed".into(), |e| e.message().into()))
    })?;
    let text = text.as_string().ok_or_else(|| unreadable("it has no JSON form".into()))?;
    serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))
}

/// Options of type `T` from a plain object; `undefined` or `null` gives the defaults.
pub fn options<T: DeserializeOwned + Default>(value: &JsValue) -> Result<T, JsValue> {
    match from_js(value, "options")? {
        Value::Null => Ok(T::default()),
        json => serde_json::from_value(json).map_err(|e| {
            engine_error(Error::in_field(ErrorCode::InvalidOption, "options", format!("options are not valid: {e}")))
        }),
    }
}

/// A contract request built from the caller's `params` object plus the version and `fields`.
pub fn request<T: DeserializeOwned, const N: usize>(
    params: &JsValue,
    fields: [(&str, Value); N],
) -> Result<T, JsValue> {
    let mut object = match from_js(params, "params")? {
        Value::Null => Map::new(),
        Value::Object(object) => object,
        _ => {
            let message = "params must be an object";
            return Err(engine_error(Error::in_field(ErrorCode::MalformedRequest, "params", message)));
        }
    };
    object.insert("version".into(), VERSION.into());
    for (name, value) in fields {
        object.insert(name.into(), value);
    }
    serde_json::from_value(Value::Object(object)).map_err(|e| {
        engine_error(Error::new(ErrorCode::MalformedRequest, format!("request does not match {VERSION}: {e}")))
    })
}

/// Any serialisable answer as a plain JS object.
pub fn json_to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| {
        engine_error(Error::new(ErrorCode::MalformedRequest, format!("answer could not be encoded: {e}")))
    })?;
    JSON::parse(&text)
}

/// A `detect` or `baseline` answer: the summary as a plain object and `points` as columns of
/// `Float64Array`s (`NaN` where the contract has `null`).
pub fn scored_to_js(summary: &Summary, points: &Points) -> Result<JsValue, JsValue> {
    let answer = json_to_js(summary)?;
    let columns = Object::new();
    let timestamps: Vec<f64> = points.timestamps_ms.iter().map(|&t| t as f64).collect();
    set_all(
        &columns,
        [
            ("timestamps_ms", column(&timestamps)),
            ("values", column(&points.values)),
            ("expected", optional_column(&points.expected)),
            ("lower", optional_column(&points.lower)),
            ("upper", optional_column(&points.upper)),
            ("score", column(&points.score)),
        ],
    );
    set_all(&answer, [("points", columns.into())]);
    Ok(answer)
}

fn column(values: &[f64]) -> JsValue {
    Float64Array::from(values).into()
}

fn optional_column(values: &[Option<f64>]) -> JsValue {
    let filled: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    column(&filled)
}

/// Sets properties on an object this module created; such a set cannot fail (no setter, no
/// frozen object), so its result is not inspected.
pub fn set_all(target: &JsValue, fields: impl IntoIterator<Item = (&'static str, JsValue)>) {
    for (name, value) in fields {
        let _ = Reflect::set(target, &JsValue::from(name), &value);
    }
}
