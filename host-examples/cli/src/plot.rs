//! `--plot FILE.svg`: the series with its corridor band, anomalies and forecast, drawn with
//! `plotters` from the engine's answers.

use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

const BAND: RGBColor = RGBColor(90, 150, 220);
const SERIES: RGBColor = RGBColor(40, 40, 40);
const ANOMALY: RGBColor = RGBColor(215, 40, 40);
const FORECAST: RGBColor = RGBColor(230, 130, 20);
const DAY_MS: f64 = 86_400_000.0;

/// What one chart shows; times in milliseconds.
pub struct Chart {
    title: String,
    series: Vec<(f64, f64)>,
    band: Vec<(f64, f64, f64)>,
    anomalies: Vec<(f64, f64)>,
    forecast: Vec<(f64, f64, f64, f64)>,
}

/// The outline of a band of `(x, lower, upper)`: along the upper bound, back along the lower.
fn outline(band: impl Iterator<Item = (f64, f64, f64)>) -> Vec<(f64, f64)> {
    let band: Vec<_> = band.collect();
    band.iter().map(|b| (b.0, b.2)).chain(band.iter().rev().map(|b| (b.0, b.1))).collect()
}

fn floats(v: &Value) -> impl Iterator<Item = Option<f64>> + '_ {
    v.as_array().into_iter().flatten().map(Value::as_f64)
}

impl Chart {
    /// The series, corridor and anomalies of a `detect` (or `baseline`) answer.
    pub fn from_detect(title: &str, answer: &Value) -> Self {
        let points = &answer["points"];
        let times: Vec<Option<f64>> = floats(&points["timestamps_ms"]).collect();
        let series = times.iter().zip(floats(&points["values"])).filter_map(|(t, v)| Some(((*t)?, v?))).collect();
        let band = times
            .iter()
            .zip(floats(&points["lower"]).zip(floats(&points["upper"])))
            .filter_map(|(t, (lo, hi))| Some(((*t)?, lo?, hi?)))
            .collect();
        let anomalies = answer["anomalies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Some((a["start_ms"].as_f64()?, a["end_ms"].as_f64()?)))
            .collect();
        Self { title: title.to_string(), series, band, anomalies, forecast: Vec::new() }
    }

    /// Adds the forecast of a `forecast` answer, with its widest interval, and keeps only the
    /// recent history (four forecast spans, at least a day) so the forecast stays readable.
    pub fn with_forecast(self, answer: &Value) -> Self {
        let widest = answer["intervals"].as_array().and_then(|i| i.last()).cloned().unwrap_or_default();
        let forecast = floats(&answer["timestamps_ms"])
            .zip(floats(&answer["point"]))
            .zip(floats(&widest["lower"]).zip(floats(&widest["upper"])))
            .filter_map(|((t, p), (lo, hi))| Some((t?, p?, lo?, hi?)))
            .collect::<Vec<_>>();
        let (Some(first), Some(last)) = (forecast.first(), forecast.last()) else { return self };
        let since = first.0 - (4.0 * (last.0 - first.0)).max(DAY_MS);
        let anomalies = self.anomalies.into_iter().filter(|a| a.1 >= since).collect();
        let series = self.series.into_iter().filter(|p| p.0 >= since).collect();
        let band = self.band.into_iter().filter(|b| b.0 >= since).collect();
        Self { series, band, anomalies, forecast, ..self }
    }

    /// Writes the chart as an SVG file.
    pub fn draw(&self, path: &Path) -> Result<(), String> {
        self.try_draw(path).map_err(|e| format!("{}: cannot draw the plot: {e}", path.display()))
    }

    fn try_draw(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let times = self.series.iter().map(|p| p.0).chain(self.forecast.iter().map(|p| p.0));
        let (t0, t1) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| (a.min(t), b.max(t)));
        let values = self.series.iter().map(|p| p.1).chain(self.band.iter().flat_map(|b| [b.1, b.2]));
        let values = values.chain(self.forecast.iter().flat_map(|f| [f.2, f.3]));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        if !(t0 < t1 && lo.is_finite() && hi.is_finite()) {
            return Err("nothing to draw".into());
        }
        let pad = ((hi - lo) * 0.05).max(1e-9);
        let root = SVGBackend::new(path, (1200, 450)).into_drawing_area();
        root.fill(&WHITE)?;
        let hours = |t: &f64| (t - t0) / 3.6e6;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..hours(&t1), (lo - pad)..(hi + pad))?;
        chart.configure_mesh().x_desc("hours from the first point").light_line_style(WHITE.mix(0.0)).draw()?;
        for (start, end) in &self.anomalies {
            let rect = [(hours(start), lo - pad), (hours(end).max(hours(start) + 0.05), hi + pad)];
            chart.draw_series([Rectangle::new(rect, ANOMALY.mix(0.15).filled())])?;
        }
        if !self.band.is_empty() {
            let outline: Vec<(f64, f64)> = self
                .band
                .iter()
                .map(|b| (hours(&b.0), b.2))
                .chain(self.band.iter().rev().map(|b| (hours(&b.0), b.1)))
                .collect();
            chart
                .draw_series([Polygon::new(outline, BAND.mix(0.3).filled())])?
                .label("corridor")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAND.mix(0.3).filled()));
        }
        chart
            .draw_series(LineSeries::new(self.series.iter().map(|p| (hours(&p.0), p.1)), SERIES.stroke_width(1)))?
            .label("series")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], SERIES));
        let outside = self.series.iter().filter(|p| self.anomalies.iter().any(|(s, e)| (*s..=*e).contains(&p.0)));
        chart.draw_series(outside.map(|p| Circle::new((hours(&p.0), p.1), 3, ANOMALY.filled())))?;
        if !self.forecast.is_empty() {
            let outline = outline(self.forecast.iter().map(|f| (hours(&f.0), f.2, f.3)));
            chart.draw_series([Polygon::new(outline, FORECAST.mix(0.25).filled())])?;
            chart
                .draw_series(LineSeries::new(
                    self.forecast.iter().map(|f| (hours(&f.0), f.1)),
                    FORECAST.stroke_width(2),
                ))?
                .label("forecast")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], FORECAST.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    }
}
