//! The branch drawn as an SVG plot on the server, from the data alone (no map tiles, nothing
//! from the internet): helpers and clients as points, proposed pairs as lines. Positions are
//! projected equirectangularly, longitude scaled by the cosine of the middle latitude, so a
//! kilometre is as long east–west as north–south in a city-sized box.

use crate::domain::ids::{ClientId, HelperId};
use std::collections::BTreeMap;

use serde::Serialize;

use crate::services::matching::Preview;
use crate::services::matching_map::{BranchMap, MapPoint};

/// Width of the drawing in SVG units.
const WIDTH: f64 = 800.0;
/// Height of the drawing in SVG units.
const HEIGHT: f64 = 520.0;
/// Room kept free around the points (for the markers and their outline).
const PAD: f64 = 24.0;
/// The smallest span drawn, in degrees (about 500 m): one person, or all in one house.
const MIN_SPAN: f64 = 0.005;

/// A person at a place of the drawing.
#[derive(Debug, Serialize)]
pub struct Dot {
    /// Helper or client id.
    pub id: i64,
    /// Shown as the point's tooltip title.
    pub name: String,
    /// SVG x.
    pub x: f64,
    /// SVG y (down).
    pub y: f64,
}

/// A pair as a line from the client to the helper.
#[derive(Debug, Serialize)]
pub struct Line {
    /// Client.
    pub client_id: ClientId,
    /// Helper.
    pub helper_id: HelperId,
    /// From (the client).
    pub x1: f64,
    /// From.
    pub y1: f64,
    /// To (the helper).
    pub x2: f64,
    /// To.
    pub y2: f64,
}

/// Everything the template draws.
#[derive(Debug, Serialize)]
pub struct Plot {
    /// `viewBox` width.
    pub width: f64,
    /// `viewBox` height.
    pub height: f64,
    /// Helpers (circles).
    pub helpers: Vec<Dot>,
    /// Clients (squares).
    pub clients: Vec<Dot>,
    /// Pairs the commit starts.
    pub new_pairs: Vec<Line>,
    /// Current pairs that stay.
    pub kept_pairs: Vec<Line>,
    /// Current pairs the commit ends (only where both people are still on the map).
    pub ended_pairs: Vec<Line>,
}

/// Lays out `map` and the lines of `preview`.
pub fn plot(map: &BranchMap, preview: &Preview) -> Plot {
    let everyone: Vec<&MapPoint> = map.helpers.iter().chain(&map.clients).collect();
    let project = Projection::fitting(&everyone, map.centre);
    let dots = |points: &[MapPoint]| -> Vec<Dot> {
        points
            .iter()
            .map(|p| {
                let (x, y) = project.apply(p.lat, p.lon);
                Dot {
                    id: p.id,
                    name: p.name.clone(),
                    x,
                    y,
                }
            })
            .collect()
    };
    let helpers = dots(&map.helpers);
    let clients = dots(&map.clients);
    let at = |dots: &[Dot]| -> BTreeMap<i64, (f64, f64)> {
        dots.iter().map(|d| (d.id, (d.x, d.y))).collect()
    };
    let (helper_at, client_at) = (at(&helpers), at(&clients));
    let line = |client_id: ClientId, helper_id: HelperId| -> Option<Line> {
        let (x1, y1) = *client_at.get(&client_id.0)?;
        let (x2, y2) = *helper_at.get(&helper_id.0)?;
        Some(Line {
            client_id,
            helper_id,
            x1,
            y1,
            x2,
            y2,
        })
    };
    let pairs = |new: bool| -> Vec<Line> {
        preview
            .pairs
            .iter()
            .filter(|p| p.new == new)
            .filter_map(|p| line(p.client_id, p.helper_id))
            .collect()
    };
    Plot {
        width: WIDTH,
        height: HEIGHT,
        new_pairs: pairs(true),
        kept_pairs: pairs(false),
        ended_pairs: preview
            .ended
            .iter()
            .filter_map(|e| line(e.client_id, e.helper_id))
            .collect(),
        helpers,
        clients,
    }
}

/// Degrees to SVG units: one scale for both axes, the points centred in the box.
struct Projection {
    /// cos(middle latitude): how much shorter a degree of longitude is there.
    shrink: f64,
    scale: f64,
    /// Projected centre of the points.
    mid: (f64, f64),
}

impl Projection {
    fn fitting(points: &[&MapPoint], centre: (f64, f64)) -> Projection {
        let lats = points.iter().map(|p| p.lat);
        let lons = points.iter().map(|p| p.lon);
        let (lat_lo, lat_hi) = bounds(lats).unwrap_or((centre.0, centre.0));
        let (lon_lo, lon_hi) = bounds(lons).unwrap_or((centre.1, centre.1));
        let shrink = ((lat_lo + lat_hi) / 2.0).to_radians().cos().max(0.01);
        let span_x = ((lon_hi - lon_lo) * shrink).max(MIN_SPAN);
        let span_y = (lat_hi - lat_lo).max(MIN_SPAN);
        let scale = ((WIDTH - 2.0 * PAD) / span_x).min((HEIGHT - 2.0 * PAD) / span_y);
        Projection {
            shrink,
            scale,
            mid: ((lon_lo + lon_hi) / 2.0 * shrink, (lat_lo + lat_hi) / 2.0),
        }
    }

    /// SVG (x, y) of a position, rounded to a tenth (plenty on an 800-wide drawing).
    fn apply(&self, lat: f64, lon: f64) -> (f64, f64) {
        let x = WIDTH / 2.0 + (lon * self.shrink - self.mid.0) * self.scale;
        // North is up: SVG's y grows downwards.
        let y = HEIGHT / 2.0 - (lat - self.mid.1) * self.scale;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    }
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ProposalId;
    use crate::services::matching::ProposedPair;

    fn point(id: i64, lat: f64, lon: f64) -> MapPoint {
        MapPoint {
            id,
            name: format!("p{id}"),
            lat,
            lon,
        }
    }

    fn preview(pairs: &[(i64, i64, bool)]) -> Preview {
        Preview {
            proposal_id: ProposalId(1),
            fingerprint: String::new(),
            pairs: pairs
                .iter()
                .map(|&(client_id, helper_id, new)| ProposedPair {
                    client_id: ClientId(client_id),
                    helper_id: HelperId(helper_id),
                    distance_m: 0,
                    skills_covered: vec![],
                    skills_missing: vec![],
                    shared_languages: vec![],
                    cost: 0,
                    new,
                })
                .collect(),
            ended: vec![],
            unfilled: vec![],
            total_cost: 0,
            elapsed_ms: 0.0,
        }
    }

    #[test]
    fn points_fit_the_box_north_up_and_a_kilometre_is_as_long_both_ways() {
        // Aarhus: 0.01° of latitude ≈ 1.11 km; 0.01° of longitude ≈ 0.62 km at 56.16° N.
        let map = BranchMap {
            centre: (56.16, 10.2),
            helpers: vec![point(1, 56.15, 10.20), point(2, 56.17, 10.20)],
            clients: vec![point(3, 56.15, 10.236)],
        };
        let p = plot(&map, &preview(&[(3, 1, true), (3, 2, false)]));
        let (south, north, east) = (&p.helpers[0], &p.helpers[1], &p.clients[0]);
        assert!(north.y < south.y, "north is up");
        for d in [south, north, east] {
            assert!((PAD - 0.1..=WIDTH - PAD + 0.1).contains(&d.x), "{d:?}");
            assert!((PAD - 0.1..=HEIGHT - PAD + 0.1).contains(&d.y), "{d:?}");
        }
        // 2.22 km north–south against 0.036° × cos(56.16°) × 111 km ≈ 2.22 km east–west.
        let ns = south.y - north.y;
        let ew = east.x - south.x;
        assert!((ns - ew).abs() / ns < 0.02, "{ns} vs {ew}");
        assert_eq!(p.new_pairs.len(), 1);
        assert_eq!(p.kept_pairs.len(), 1);
        assert_eq!((p.new_pairs[0].x1, p.new_pairs[0].x2), (east.x, south.x));
    }

    #[test]
    fn one_person_or_none_is_drawn_in_the_middle() {
        let lone = BranchMap {
            centre: (56.16, 10.2),
            helpers: vec![point(1, 56.15, 10.2)],
            clients: vec![],
        };
        let p = plot(&lone, &preview(&[]));
        assert_eq!(
            (p.helpers[0].x, p.helpers[0].y),
            (WIDTH / 2.0, HEIGHT / 2.0)
        );
        let empty = BranchMap {
            centre: (56.16, 10.2),
            helpers: vec![],
            clients: vec![],
        };
        assert!(plot(&empty, &preview(&[])).helpers.is_empty());
    }

    #[test]
    fn a_pair_with_someone_off_the_map_draws_no_line() {
        let map = BranchMap {
            centre: (56.16, 10.2),
            helpers: vec![point(1, 56.15, 10.2)],
            clients: vec![point(3, 56.16, 10.21)],
        };
        let p = plot(&map, &preview(&[(3, 9, false)]));
        assert!(p.kept_pairs.is_empty());
    }
}
